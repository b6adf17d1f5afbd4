import Foundation
import Imaging

/// Decodes PNG / JPEG texture bytes into RGBA8 within the asset limits (through Imaging's codecs).
public enum TextureDecoding {
    /// Decodes an embedded or external image. Throws `unreadable-texture` or `texture-too-large`.
    public static func decode(_ image: EncodedImage, limits: AssetLimits) throws -> TextureImage {
        guard !image.bytes.isEmpty else {
            throw AssetError(.unreadableTexture, message: "texture \(image.origin) has no data")
        }
        let header: (Int, Int)?
        switch ImageFile.sniff(image.bytes) {
        case .png: header = (try? PNG.readHeader(image.bytes)).map { ($0.width, $0.height) }
        case .jpeg: header = (try? JPEG.readHeader(image.bytes)).map { ($0.width, $0.height) }
        case nil:
            throw AssetError(.unreadableTexture, message: "texture \(image.origin) is neither PNG nor JPEG")
        }
        if let (w, h) = header, w > limits.maxTextureSide || h > limits.maxTextureSide || w * h > limits.maxTexturePixels {
            throw AssetError(.textureTooLarge, message: "texture \(image.origin) is \(w)x\(h), over the limit of \(limits.maxTextureSide) px per side / \(limits.maxTexturePixels) px")
        }
        do {
            let decoded = try ImageFile.decodeRGBA(image.bytes, limits: ImageLimits(maxPixels: limits.maxTexturePixels, maxFileBytes: limits.maxFileBytes),
                                                   source: image.origin)
            guard decoded.width > 0, decoded.height > 0 else {
                throw AssetError(.unreadableTexture, message: "texture \(image.origin) is empty")
            }
            return TextureImage(width: decoded.width, height: decoded.height, pixels: decoded.pixels)
        } catch let error as AssetError {
            throw error
        } catch {
            throw AssetError(.unreadableTexture, message: "texture \(image.origin): \(oneLineText(error))")
        }
    }

    static func oneLineText(_ error: any Error) -> String {
        String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
