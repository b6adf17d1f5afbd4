import Datasets
import Imaging

/// One extracted Open Images object: everything `cn-extract` writes for it.
public struct ExtractedObject: Sendable {
    /// The object cut out at its box, alpha = mask (RGBA).
    public var cutout: RGBAImage
    /// The reference view: the cut-out with its long side at `referenceLongSide`, centred on a
    /// white `referenceCanvas` square (Zero-1-to-3's input framing), opaque.
    public var reference: RGBAImage
    /// The target view, `targetSize` square, framed as configured.
    public var target: RGBAImage
    /// The object's mask in target pixels (0 or 255).
    public var targetMask: GrayImage
    /// The object's box in target pixels (x, y, w, h), from the mask.
    public var bbox: PixelRect
    /// The object's box in photo pixels (after rotation), from the mask.
    public var objectBox: PixelRect
    /// The photo's size after rotation.
    public var imageWidth: Int, imageHeight: Int
    /// The share of the mask held by its largest 8-connected component.
    public var largestComponentShare: Double
    /// The geometry used.
    public var plan: ExtractionPlan
}

/// Open Images object extraction as a pure function of the photo bytes and the mask bytes
/// (the Open Images V7 download page, storage.googleapis.com/openimages/web/download_v7.html; framing from CustomNet, arXiv:2310.19784 and github.com/TencentARC/CustomNet data/dataset.py): decode the photo and turn it upright by
/// its Rotation; decode the mask (any PNG bit depth: any non-zero sample is foreground, > 127
/// for 8-bit samples) and resize it to the photo's exact shape with nearest-neighbour (masks
/// are 1600 px on the long side, photos at most 1024); take the box from the mask, not the CSV;
/// check the mask (empty, fragmented per AnyDoor's 90% largest-component rule, touching the
/// border when truncation is excluded, too small in pixels); then cut out, frame the reference
/// and the target, and record the box in target pixels.
public enum ObjectExtraction {
    /// Extracts one object. Undecodable inputs throw (`ImageError`, with its kind); masks that fail
    /// a check return `.failure` with the rejection's stable kind.
    public static func extract(photo: [UInt8], mask: [UInt8], rotation: ImageRotation?,
                               config: ExtractionConfig = ExtractionConfig(), filter: ObjectFilterConfig = ObjectFilterConfig(),
                               limits: ImageLimits = .standard, source: String = "object") throws -> Result<ExtractedObject, ObjectRejection> {
        var image = try ImageFile.decodeRGBA(photo, limits: limits, source: source + " photo")
        let storedWidth = image.width, storedHeight = image.height
        if config.applyRotation, let rotation, rotation != .none {
            image = image.rotated(counterClockwiseDegrees: rotation.rawValue)
        }
        var binary = try binaryMask(mask, limits: limits, source: source + " mask")
        let maskTurn = config.applyRotation
            ? MaskOrientation.rotationFor(maskWidth: binary.width, maskHeight: binary.height, storedWidth: storedWidth,
                                          storedHeight: storedHeight, rotation: rotation)
            : 0
        if maskTurn != 0 { binary = binary.rotated(counterClockwiseDegrees: maskTurn) }
        if binary.width != image.width || binary.height != image.height {
            binary = binary.resized(width: image.width, height: image.height, filter: .nearest)
        }

        guard let rect = binary.boundingBox(threshold: 0) else {
            return .failure(ObjectRejection(.emptyMask, "mask has no foreground pixel"))
        }
        // Every foreground pixel lies inside the box: label components there only.
        let components = ConnectedComponents(binary.cropped(to: rect), threshold: 0, connectivity: .eight)
        let foreground = components.foregroundArea
        let largest = components.areas.max() ?? 0
        let touches = rect.x == 0 || rect.y == 0 || rect.maxX == image.width || rect.maxY == image.height
        if let rejection = ObjectFilter.checkMask(foregroundPixels: foreground, largestComponentPixels: largest,
                                                  touchesBorder: touches, config: filter) {
            return .failure(rejection)
        }
        if min(rect.width, rect.height) < filter.minObjectSidePixels {
            return .failure(ObjectRejection(.objectTooSmall, "mask box is \(rect.width)x\(rect.height) px, sides must be at least \(filter.minObjectSidePixels) px"))
        }
        let objectBox = rect
        let plan = ExtractionPlan(imageWidth: image.width, imageHeight: image.height, object: objectBox, config: config)

        // Cut-out and reference.
        let cutout = RGBAImage(rgb: image.cropped(to: rect), alpha: binary.cropped(to: rect))
        let scaled = cutout.resized(width: plan.referenceSize.width, height: plan.referenceSize.height)
        var reference = RGBAImage(width: config.referenceCanvas, height: config.referenceCanvas, fill: .white)
        reference.composite(scaled, atX: plan.referenceOrigin.x, y: plan.referenceOrigin.y)

        // Target and its mask.
        let crop = plan.targetCrop
        let target = image.cropped(to: crop, fill: .white).resized(width: config.targetSize, height: config.targetSize)
        let targetMask = binary.cropped(to: crop, fill: 0).resized(width: config.targetSize, height: config.targetSize, filter: .nearest)

        return .success(ExtractedObject(cutout: cutout, reference: reference, target: target, targetMask: targetMask,
                                        bbox: plan.targetBBox, objectBox: objectBox, imageWidth: image.width,
                                        imageHeight: image.height,
                                        largestComponentShare: foreground > 0 ? Double(largest) / Double(foreground) : 0,
                                        plan: plan))
    }

    /// Reads an object's photo and mask through a layout and a mask source, then extracts it
    /// (the convenience `cn-extract` calls per item). A missing photo or mask throws
    /// `DatasetFileError.unreadable` naming the file.
    public static func extract(_ mask: SegmentationRow, layout: OpenImagesLayout, masks: any MaskSource, rotations: RotationTable,
                               config: ExtractionConfig = ExtractionConfig(), filter: ObjectFilterConfig = ObjectFilterConfig(),
                               limits: ImageLimits = .standard) throws -> Result<ExtractedObject, ObjectRejection> {
        guard let photoPath = layout.imagePath(of: mask.imageID) else {
            throw DatasetFileError.unreadable(path: "\(layout.root)/\(layout.split)/\(mask.imageID).jpg", reason: "photo not found in any image folder")
        }
        guard let maskBytes = try masks.maskBytes(maskPath: mask.maskPath, imageID: mask.imageID) else {
            throw DatasetFileError.unreadable(path: mask.maskPath, reason: "mask not found in the mask archives or folder")
        }
        let photo = try readWholeFile(photoPath, limit: limits.maxFileBytes)
        return try extract(photo: photo, mask: maskBytes, rotation: rotations.rotation(of: mask.imageID), config: config,
                           filter: filter, limits: limits, source: mask.maskPath)
    }

    /// Decodes a mask PNG of any bit depth into 0/255: 8-bit gray samples above 127 and non-zero
    /// samples of other gray depths are foreground; other colour types go through gray conversion (> 127).
    public static func binaryMask(_ bytes: [UInt8], limits: ImageLimits = .standard, source: String = "mask") throws -> GrayImage {
        let png = try PNG.decode(bytes, limits: limits, source: source)
        if png.colorType == .gray || png.colorType == .grayAlpha {
            let width = png.width, height = png.height, rowBytes = png.rowBytes
            let channels = png.colorType.channels, depth = png.bitDepth
            var pixels = [UInt8](repeating: 0, count: width * height)
            png.rows.withUnsafeBufferPointer { rows in
                pixels.withUnsafeMutableBufferPointer { out in
                    for y in 0..<height {
                        let row = y * rowBytes, line = y * width
                        switch depth {
                        case 8:
                            for x in 0..<width where rows[row + x * channels] > 127 { out[line + x] = 255 }
                        case 16:
                            for x in 0..<width where rows[row + 2 * x * channels] | rows[row + 2 * x * channels + 1] != 0 {
                                out[line + x] = 255
                            }
                        case 1 where channels == 1:  // whole zero bytes skip eight pixels
                            for byteIndex in 0..<rowBytes {
                                let byte = rows[row + byteIndex]
                                if byte == 0 { continue }
                                let x0 = byteIndex * 8
                                for bit in 0..<min(8, width - x0) where byte & (0x80 >> UInt8(bit)) != 0 { out[line + x0 + bit] = 255 }
                            }
                        default:  // 1, 2 or 4 bits, packed from the most significant bit
                            let perByte = 8 / depth, sampleMask = UInt8((1 << depth) - 1)
                            for x in 0..<width {
                                let shift = (perByte - 1 - x % perByte) * depth
                                if (rows[row + x / perByte] >> UInt8(shift)) & sampleMask != 0 { out[line + x] = 255 }
                            }
                        }
                    }
                }
            }
            return GrayImage(width: width, height: height, pixels: pixels)
        }
        return try PNG.decodeGray(bytes, limits: limits, source: source).binarized(threshold: 127)
    }
}
