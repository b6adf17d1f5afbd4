/// What the box-level filters look at: one candidate object before any pixel is decoded.
public struct ObjectCandidate: Sendable, Equatable {
    /// The box, normalised.
    public var box: NormalizedBox
    /// The mask's PredictedIoU, when the row has one.
    public var predictedIoU: Double?
    /// The joined box flags, nil when no box matched.
    public var flags: BoxFlags?
    /// The image size in pixels (width, height), when known.
    public var imageSize: (width: Int, height: Int)?

    /// Creates a candidate.
    public init(box: NormalizedBox, predictedIoU: Double? = nil, flags: BoxFlags? = nil, imageSize: (width: Int, height: Int)? = nil) {
        self.box = box
        self.predictedIoU = predictedIoU
        self.flags = flags
        self.imageSize = imageSize
    }

    /// The candidate of a joined mask.
    public init(_ joined: JoinedMask, imageSize: (width: Int, height: Int)? = nil) {
        self.init(box: joined.mask.box, predictedIoU: joined.mask.predictedIoU, flags: joined.flags, imageSize: imageSize)
    }

    public static func == (a: ObjectCandidate, b: ObjectCandidate) -> Bool {
        a.box == b.box && a.predictedIoU == b.predictedIoU && a.flags == b.flags
            && a.imageSize?.width == b.imageSize?.width && a.imageSize?.height == b.imageSize?.height
    }
}

/// The Open Images object filters as pure functions: the first failing check's rejection, or nil
/// to keep. Box area bounds follow Paint-by-Example, the connected-component share AnyDoor
/// (the Open Images V7 download page, storage.googleapis.com/openimages/web/download_v7.html); flags read as the Open Images box CSV defines them (unknown = not set).
public enum ObjectFilter {
    /// Checks a candidate against the box-level rules, in a fixed order.
    public static func check(_ candidate: ObjectCandidate, config: ObjectFilterConfig = ObjectFilterConfig()) -> ObjectRejection? {
        if let flags = candidate.flags {
            if config.excludeGroupOf, flags.isGroupOf == .yes { return ObjectRejection(.groupOf, "box is IsGroupOf (a group of objects)") }
            if config.excludeDepiction, flags.isDepiction == .yes { return ObjectRejection(.depiction, "box is IsDepiction (a drawing or model, not the object)") }
            if config.excludeInside, flags.isInside == .yes { return ObjectRejection(.inside, "box is IsInside (taken from inside the object)") }
            if config.excludeTruncated, flags.isTruncated == .yes { return ObjectRejection(.truncated, "box is IsTruncated (object cut by the image border)") }
            if config.excludeOccluded, flags.isOccluded == .yes { return ObjectRejection(.occluded, "box is IsOccluded") }
        } else if config.excludeUnmatched {
            return ObjectRejection(.noBoxMatch, "no box row matched this mask, its flags are unknown")
        }
        let area = candidate.box.area
        if area < config.minBoxArea {
            return ObjectRejection(.boxAreaTooSmall, "box area \(format(area)) of the image is below \(format(config.minBoxArea))")
        }
        if area > config.maxBoxArea {
            return ObjectRejection(.boxAreaTooLarge, "box area \(format(area)) of the image is above \(format(config.maxBoxArea))")
        }
        let shorterFraction = min(candidate.box.width, candidate.box.height)
        if shorterFraction < config.minBoxSideFraction {
            return ObjectRejection(.boxSideTooSmall, "box side \(format(shorterFraction)) of the image side is below \(format(config.minBoxSideFraction))")
        }
        if let size = candidate.imageSize {
            let width = candidate.box.width * Double(size.width), height = candidate.box.height * Double(size.height)
            if min(width, height) < Double(config.minObjectSidePixels) {
                return ObjectRejection(.objectTooSmall, "object is \(Int(width.rounded()))x\(Int(height.rounded())) px, sides must be at least \(config.minObjectSidePixels) px")
            }
        }
        if let iou = candidate.predictedIoU, iou < config.minPredictedIoU {
            return ObjectRejection(.lowPredictedIoU, "PredictedIoU \(format(iou)) is below \(format(config.minPredictedIoU))")
        }
        return nil
    }

    /// Checks a mask's pixel statistics (computed by the extraction step): emptiness, the largest
    /// connected component's share (AnyDoor), and contact with the border when truncation is excluded.
    public static func checkMask(foregroundPixels: Int, largestComponentPixels: Int, touchesBorder: Bool,
                                 config: ObjectFilterConfig = ObjectFilterConfig()) -> ObjectRejection? {
        if foregroundPixels == 0 { return ObjectRejection(.emptyMask, "mask has no foreground pixel") }
        let share = Double(largestComponentPixels) / Double(foregroundPixels)
        if share < config.minLargestComponentShare {
            return ObjectRejection(.fragmentedMask, "largest connected component holds \(format(share)) of the mask, below \(format(config.minLargestComponentShare))")
        }
        if touchesBorder, config.excludeTruncated, config.rejectBorderTouchingMasks {
            return ObjectRejection(.maskTouchesBorder, "mask touches the image border (object probably truncated)")
        }
        return nil
    }

    private static func format(_ value: Double) -> String {
        let rounded = (value * 10_000).rounded() / 10_000
        return String(rounded)
    }
}
