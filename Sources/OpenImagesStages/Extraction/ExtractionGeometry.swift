#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Datasets
import Imaging

extension PixelRect {
    /// The longer side.
    var longSide: Int { max(width, height) }
}

/// The pure geometry of extracting one object: where the target crop lies in the photo, where
/// the object lands in the target, and how the cut-out is scaled onto the reference canvas.
/// Computed from the photo size and the mask's pixel box only, so it is testable without pixels.
public struct ExtractionPlan: Sendable, Equatable {
    /// The region of the photo that becomes the target (may extend past the photo: padded white).
    public var targetCrop: PixelRect
    /// The target image side.
    public var targetSize: Int
    /// The object's box in target pixels (x, y, w, h), as recorded in the manifest.
    public var targetBBox: PixelRect
    /// The object's box in target pixels before rounding.
    public var targetBBoxExact: (x: Double, y: Double, width: Double, height: Double)
    /// The cut-out's size on the reference canvas.
    public var referenceSize: (width: Int, height: Int)
    /// Where the cut-out's top-left corner lands on the reference canvas (centred).
    public var referenceOrigin: (x: Int, y: Int)

    public static func == (a: ExtractionPlan, b: ExtractionPlan) -> Bool {
        a.targetCrop == b.targetCrop && a.targetSize == b.targetSize && a.targetBBox == b.targetBBox
            && a.referenceSize == b.referenceSize && a.referenceOrigin == b.referenceOrigin
    }

    /// Plans the extraction of an object whose mask box is `object` in a `width` x `height` photo.
    public init(imageWidth width: Int, imageHeight height: Int, object: PixelRect, config: ExtractionConfig = ExtractionConfig()) {
        precondition(width > 0 && height > 0 && object.width > 0 && object.height > 0, "empty image or object")
        targetSize = config.targetSize
        let scaleX: Double, scaleY: Double
        switch config.targetFraming {
        case .resize:
            targetCrop = PixelRect(x: 0, y: 0, width: width, height: height)
            scaleX = Double(config.targetSize) / Double(width)
            scaleY = Double(config.targetSize) / Double(height)
        case .square:
            let grown = Double(object.longSide) * (1 + 2 * config.squareMargin)
            let side = max(object.longSide, min(Int(grown.rounded()), max(width, height)))
            func place(_ start: Int, _ length: Int, _ limit: Int) -> Int {
                let centred = Int((Double(start) + Double(length) / 2 - Double(side) / 2).rounded(.down))
                if side <= limit { return min(max(centred, 0), limit - side) }  // shift inside the photo
                return centred  // larger than the photo on this axis: centred, padded both sides
            }
            targetCrop = PixelRect(x: place(object.x, object.width, width), y: place(object.y, object.height, height),
                                  width: side, height: side)
            scaleX = Double(config.targetSize) / Double(side)
            scaleY = scaleX
        }
        let exact = (x: Double(object.x - targetCrop.x) * scaleX, y: Double(object.y - targetCrop.y) * scaleY,
                     width: Double(object.width) * scaleX, height: Double(object.height) * scaleY)
        targetBBoxExact = exact
        let x0 = Int(exact.x.rounded()), y0 = Int(exact.y.rounded())
        let x1 = Int((exact.x + exact.width).rounded()), y1 = Int((exact.y + exact.height).rounded())
        targetBBox = PixelRect(x: x0, y: y0, width: max(1, x1 - x0), height: max(1, y1 - y0))

        var scale = Double(config.referenceLongSide) / Double(object.longSide)
        if !config.referenceUpscale { scale = min(scale, 1) }
        let refWidth = max(1, min(config.referenceCanvas, Int((Double(object.width) * scale).rounded())))
        let refHeight = max(1, min(config.referenceCanvas, Int((Double(object.height) * scale).rounded())))
        referenceSize = (refWidth, refHeight)
        referenceOrigin = ((config.referenceCanvas - refWidth) / 2, (config.referenceCanvas - refHeight) / 2)
    }
}

/// Which way a mask must be turned to line up with a rotated photo. Open Images' note on rotation
/// (storage.googleapis.com/openimages/web/2018-05-17-rotation-information.html) says the
/// Rotation is the counter-clockwise angle by which "the image and boxes should be rotated", so
/// annotations live in the stored frame; masks are not named there, so this also decides by
/// shape: a mask whose aspect matches the stored photo is rotated like it, one that already
/// matches the upright photo is used as is.
public enum MaskOrientation {
    /// The counter-clockwise degrees to rotate the mask by (0 or the photo's rotation).
    public static func rotationFor(maskWidth: Int, maskHeight: Int, storedWidth: Int, storedHeight: Int,
                                   rotation: ImageRotation?) -> Int {
        guard let rotation, rotation == .counterClockwise90 || rotation == .counterClockwise270 else {
            return rotation?.rawValue ?? 0
        }
        let maskAspect = Double(maskWidth) / Double(maskHeight)
        let storedAspect = Double(storedWidth) / Double(storedHeight)
        let uprightAspect = 1 / storedAspect
        return abs(log(maskAspect / storedAspect)) <= abs(log(maskAspect / uprightAspect)) ? rotation.rawValue : 0
    }
}
