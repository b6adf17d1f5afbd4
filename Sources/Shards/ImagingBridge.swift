import Imaging

extension RGB8Pixels {
    /// Converts an `Imaging.RGBAImage`, flattening straight alpha over white (Zero-1-to-3's
    /// "alpha == 0 -> white"), for the concat construction.
    public init(_ image: RGBAImage) throws {
        self = try RGB8Pixels.flatteningRGBA(width: image.width, height: image.height, rgba: image.pixels)
    }

    /// The raster as an opaque `Imaging.RGBAImage`.
    public func rgbaImage() -> RGBAImage {
        var pixels = [UInt8](repeating: 255, count: width * height * 4)
        for i in 0..<(width * height) {
            pixels[4 * i] = bytes[3 * i]
            pixels[4 * i + 1] = bytes[3 * i + 1]
            pixels[4 * i + 2] = bytes[3 * i + 2]
        }
        return RGBAImage(width: width, height: height, pixels: pixels)
    }
}

extension ConcatBuilder {
    /// The concat image for a decoded reference of any size: a reference that is not 256x256 is
    /// first resized to 256x256 with Pillow-style bilinear, as CustomNet's loader does
    /// (`transforms.Resize((256, 256))` on the PIL image), alpha is flattened over white, then
    /// `build(reference:bbox:imageWidth:imageHeight:)` places it.
    public static func build(reference: RGBAImage, bbox: PixelBox, imageWidth: Int, imageHeight: Int) throws -> RGBAImage {
        let side = ConcatLayout.canvas
        let sized = reference.width == side && reference.height == side
            ? reference : reference.resized(width: side, height: side, filter: .bilinear)
        return try build(reference: RGB8Pixels(sized), bbox: bbox, imageWidth: imageWidth, imageHeight: imageHeight).rgbaImage()
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
        try write(root: root, name: name, input: try JPEG.encode(flattenedOnWhite(input), options: jpeg), mask: try JPEG.encode(mask, options: jpeg),
                  views: try views.map { try JPEG.encode(flattenedOnWhite($0), options: jpeg) }, meta: meta)
    }

    static func flattenedOnWhite(_ image: RGBAImage) throws -> RGBAImage { try RGB8Pixels(image).rgbaImage() }
}

extension Zero123Export.View {
    /// A view from a decoded RGBA render (kept RGBA, as Zero-1-to-3's renders are) and its pose.
    public init(image: RGBAImage, pose: [Float]) throws {
        self.init(png: try PNG.encode(image), pose: pose)
    }
}
