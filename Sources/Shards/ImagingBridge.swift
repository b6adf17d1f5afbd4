import Imaging

extension ConcatBuilder {
    /// The concat image for a decoded reference of any size: a reference that is not 256x256 is
    /// first resized to 256x256 with Pillow-style bilinear, as CustomNet's loader does
    /// (`transforms.Resize((256, 256))` on the PIL image), alpha is flattened over white, then
    /// `build(reference:bbox:imageWidth:imageHeight:)` places it.
    public static func build(reference: RGBAImage, bbox: PixelBox, imageWidth: Int, imageHeight: Int) throws -> RGBAImage {
        let side = ConcatLayout.canvas
        let sized = reference.width == side && reference.height == side
            ? reference : reference.resized(width: side, height: side, filter: .bilinear)
        return try build(flatReference: sized.composited(over: .white), bbox: bbox, imageWidth: imageWidth, imageHeight: imageHeight)
    }

    /// `concat.png` bytes from the encoded reference (PNG or JPEG) and the target box: decode,
    /// build, encode as an opaque PNG. What `cn-shard` calls per sample.
    public static func buildPNG(reference encoded: [UInt8], bbox: PixelBox, imageWidth: Int, imageHeight: Int,
                                options: PNG.EncodeOptions = PNG.EncodeOptions()) throws -> [UInt8] {
        let decoded = encoded.withUnsafeBytes { JPEG.isJPEG($0) } ? try JPEG.decodeRGBA(encoded) : try PNG.decodeRGBA(encoded)
        let concat = try build(reference: decoded, bbox: bbox, imageWidth: imageWidth, imageHeight: imageHeight)
        return try PNG.encodeOpaque(concat, options: options)
    }
}

extension CustomNetExport {
    /// Writes a CustomNet sample folder from decoded images, JPEG-encoding them (quality 95 by
    /// default; CustomNet's own files are JPEGs). The mask is written as a gray JPEG.
    @discardableResult
    public static func write(root: String, name: String, input: RGBAImage, mask: GrayImage, views: [RGBAImage], meta: CustomNetMeta,
                             jpeg: JPEGEncodeOptions = JPEGEncodeOptions(quality: 95)) throws -> String {
        try write(root: root, name: name, input: try JPEG.encode(input.composited(over: .white), options: jpeg), mask: try JPEG.encode(mask, options: jpeg),
                  views: try views.map { try JPEG.encode($0.composited(over: .white), options: jpeg) }, meta: meta)
    }
}

extension Zero123Export.View {
    /// A view from a decoded RGBA render (kept RGBA, as Zero-1-to-3's renders are) and its pose.
    public init(image: RGBAImage, pose: [Float]) throws {
        self.init(png: try PNG.encode(image), pose: pose)
    }
}
