import Foundation

/// Decodes PNG / JPEG texture bytes into RGBA8 within the asset limits.
public enum TextureDecoding {
    /// Decodes an embedded or external image. Throws `unreadable-texture` or `texture-too-large`.
    public static func decode(_ image: EncodedImage, limits: AssetLimits) throws -> TextureImage {
        guard !image.bytes.isEmpty else {
            throw AssetError(kind: "unreadable-texture", message: "texture \(image.origin) has no data")
        }
        // The PNG/JPEG codecs live in the Imaging module (helper/imaging); until it is merged no
        // texture can be decoded here.
        throw AssetError(kind: "unreadable-texture", message: "texture \(image.origin): no image decoder available in this build")
    }
}
