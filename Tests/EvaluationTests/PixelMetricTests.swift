import Foundation
import Testing
@testable import Evaluation

/// PSNR and both SSIMs against scikit-image 0.26 on 70 pairs (noise, gradients, real textures,
/// 7x7 up to 256x256, gray and RGB).
@Suite("PSNR and SSIM against scikit-image") struct PixelMetricTests {
    struct Expected: Decodable {
        let name: String
        let ssim: Double
        let ssim_gaussian: Double?
        let shape: [Int]
        let psnrValue: Double

        enum CodingKeys: String, CodingKey { case name, psnr, ssim, ssim_gaussian, shape }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            ssim = try c.decode(Double.self, forKey: .ssim)
            ssim_gaussian = try c.decodeIfPresent(Double.self, forKey: .ssim_gaussian)
            shape = try c.decode([Int].self, forKey: .shape)
            if let text = try? c.decode(String.self, forKey: .psnr), text == "inf" { psnrValue = .infinity } else {
                psnrValue = try c.decode(Double.self, forKey: .psnr)
            }
        }
    }

    @Test func allPairsMatchScikitImage() throws {
        let url = try EvaluationReferences.pixels.get().appendingPathComponent("pixels.json")
        let expected = try JSONDecoder().decode([Expected].self, from: Data(contentsOf: url))
        #expect(expected.count >= 50)
        var worst = (psnr: 0.0, ssim: 0.0, gaussian: 0.0), gaussianCount = 0, gray = 0, smallest = Int.max
        for (i, e) in expected.enumerated() {
            let a = try EvaluationReferences.image("pair\(i)_a"), b = try EvaluationReferences.image("pair\(i)_b")
            if a.channels == 1 { gray += 1 }
            smallest = min(smallest, a.width, a.height)
            let psnr = try PSNR.compute(b, a)
            if e.psnrValue.isInfinite {
                #expect(psnr == .infinity, "\(e.name)")
            } else {
                worst.psnr = max(worst.psnr, abs(psnr - e.psnrValue))
                #expect(abs(psnr - e.psnrValue) < 1e-6, "\(e.name): PSNR \(psnr) vs \(e.psnrValue)")
            }
            let ssim = try SSIM.scikitImage.compute(a, b)
            worst.ssim = max(worst.ssim, abs(ssim - e.ssim))
            #expect(abs(ssim - e.ssim) < 1e-6, "\(e.name): SSIM \(ssim) vs \(e.ssim)")
            if let g = e.ssim_gaussian {
                gaussianCount += 1
                let s = try SSIM.gaussian.compute(a, b)
                worst.gaussian = max(worst.gaussian, abs(s - g))
                #expect(abs(s - g) < 1e-6, "\(e.name): Gaussian SSIM \(s) vs \(g)")
            } else {
                #expect(throws: EvaluationError.self) { try SSIM.gaussian.compute(a, b) }
            }
        }
        print("scikit-image agreement over \(expected.count) pairs (\(gray) gray, smallest side \(smallest) px; \(gaussianCount) with Gaussian SSIM): "
              + "max |dPSNR| \(worst.psnr) dB, max |dSSIM| \(worst.ssim), max |dSSIM gaussian| \(worst.gaussian)")
    }

    @Test func windowShapes() {
        #expect(SSIM.scikitImage.windowSize == 7)
        #expect(SSIM.gaussian.windowSize == 11)
        #expect(SeparableFilter.reflect(-1, 5) == 0 && SeparableFilter.reflect(-3, 5) == 2 && SeparableFilter.reflect(5, 5) == 4
                && SeparableFilter.reflect(12, 5) == 2)
    }
}
