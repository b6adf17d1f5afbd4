// The loss curve (train and validation) and the sample grids, drawn with the project's Imaging module.
import Foundation
import Imaging
import Tensor

/// PNG outputs a user watches: `loss.png` and `samples/step-N.png`.
public enum TrainingPlots {
    /// Draws train (blue) and validation (orange) loss against the step on a log10 axis.
    public static func lossCurve(train: [(Int, Float)], validation: [(Int, Float)], title: String) -> RGBAImage {
        let width = 720, height = 400, left = 70, right = 20, top = 30, bottom = 40
        var image = RGBAImage(width: width, height: height, fill: .white)
        let values = (train.map(\.1) + validation.map(\.1)).filter { $0 > 0 && $0.isFinite }
        let plotW = width - left - right, plotH = height - top - bottom
        image.stroke(PixelRect(x: left, y: top, width: plotW, height: plotH), with: RGBA8(0, 0, 0))
        _ = image.drawText(title, atX: left, y: 8, color: .black, scale: 2)
        guard let lo = values.min(), let hi = values.max() else { return image }
        let maxStep = max(1, (train.map(\.0) + validation.map(\.0)).max() ?? 1)
        var yLo = log10(Double(lo)), yHi = log10(Double(hi))
        if yHi - yLo < 0.1 { yLo -= 0.05; yHi += 0.05 }
        func x(_ s: Int) -> Int { left + Int(Double(plotW) * Double(s) / Double(maxStep)) }
        func y(_ v: Float) -> Int { top + Int(Double(plotH) * (yHi - log10(Double(max(v, lo)))) / (yHi - yLo)) }
        for k in 0...4 {
            let v = yLo + (yHi - yLo) * Double(k) / 4
            let py = top + Int(Double(plotH) * Double(4 - k) / 4)
            image.drawLine(fromX: left, y: py, toX: left + plotW, y: py, color: RGBA8(225, 225, 225))
            _ = image.drawText(String(format: "%.3g", pow(10, v)), atX: 4, y: py - 4, color: .black)
        }
        _ = image.drawText("step 0", atX: left, y: height - bottom + 8, color: .black)
        _ = image.drawText("step \(maxStep)", atX: width - right - 70, y: height - bottom + 8, color: .black)
        let blue = RGBA8(31, 119, 180), orange = RGBA8(255, 127, 14)
        for (a, b) in zip(train, train.dropFirst()) {
            image.drawLine(fromX: x(a.0), y: y(a.1), toX: x(b.0), y: y(b.1), color: blue)
        }
        for (a, b) in zip(validation, validation.dropFirst()) {
            image.drawLine(fromX: x(a.0), y: y(a.1), toX: x(b.0), y: y(b.1), color: orange, lineWidth: 2)
        }
        for p in validation { image.fill(PixelRect(x: x(p.0) - 2, y: y(p.1) - 2, width: 5, height: 5), with: orange) }
        _ = image.drawText("train", atX: width - 130, y: top + 8, color: blue, scale: 2)
        _ = image.drawText("val", atX: width - 60, y: top + 8, color: orange, scale: 2)
        return image
    }

    /// Rows of (reference | generated | target), each [B, 3, S, S] in [-1, 1], scaled up (nearest)
    /// to at least 96 pixels per cell.
    public static func sampleGrid(reference: Tensor, generated: Tensor, target: Tensor) -> RGBAImage {
        let b = reference.shape[0], s = reference.shape[2]
        let zoom = max(1, (96 + s - 1) / s), cell = s * zoom, gap = 4
        var image = RGBAImage(width: 3 * cell + 4 * gap, height: b * (cell + gap) + gap, fill: RGBA8(128, 128, 128))
        for row in 0..<b {
            for (col, t) in [reference, generated, target].enumerated() {
                let plane = s * s, base = row * 3 * plane
                for py in 0..<cell {
                    for px in 0..<cell {
                        let i = (py / zoom) * s + px / zoom
                        func byte(_ c: Int) -> UInt8 { UInt8(min(max((t.data[base + c * plane + i] + 1) / 2, 0), 1) * 255) }
                        image[gap + col * (cell + gap) + px, gap + row * (cell + gap) + py] = RGBA8(byte(0), byte(1), byte(2))
                    }
                }
            }
        }
        return image
    }
}
