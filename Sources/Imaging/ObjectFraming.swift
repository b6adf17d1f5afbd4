/// The framings CustomNet and Zero-1-to-3 use for an object cut-out (CustomNet, arXiv:2310.19784; Zero-1-to-3, arXiv:2303.11328).
public enum ObjectFraming {
    /// zero123's in-the-wild input and CustomNet's reference: the object (alpha > 0) cropped to its
    /// box, scaled so its long side is `longSide` (200), centred on a white `canvas` (256) square.
    public static func reference(_ view: RGBAImage, canvas: Int = 256, longSide: Int = 200) -> RGBAImage? {
        guard let box = view.alphaChannel().boundingBox() else { return nil }
        let object = view.cropped(to: box)
        let scale = Double(longSide) / Double(max(box.width, box.height))
        let w = max(1, Int((Double(box.width) * scale).rounded())), h = max(1, Int((Double(box.height) * scale).rounded()))
        var out = RGBAImage(width: canvas, height: canvas, fill: RGBA8(255, 255, 255))
        out.composite(object.resized(width: w, height: h), atX: (canvas - w) / 2, y: (canvas - h) / 2)
        return out
    }

    /// The object (alpha > 0) of a view cropped to its tight box, or nil when the view is empty.
    public static func cutOut(_ view: RGBAImage) -> RGBAImage? {
        view.alphaChannel().boundingBox().map { view.cropped(to: $0) }
    }
}
