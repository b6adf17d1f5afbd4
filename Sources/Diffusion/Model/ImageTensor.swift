// Follows zero123 `gradio_new.py`: `ToTensor()(image) * 2 - 1` in, and
// `255 * clamp((x + 1) / 2, 0, 1)` then `astype(np.uint8)` (truncation) out.
import Tensor

/// Conversions between 8-bit RGB pixels and the [-1, 1] NCHW tensors the networks take.
public enum ImageTensor {
    /// Interleaved RGB bytes (width x height x 3) -> [1, 3, height, width] in [-1, 1].
    public static func fromRGB(_ bytes: [UInt8], width: Int, height: Int) -> Tensor {
        precondition(bytes.count == width * height * 3, "RGB buffer does not match \(width)x\(height)")
        var t = Tensor(shape: [1, 3, height, width])
        let plane = width * height
        for i in 0..<plane {
            for c in 0..<3 { t.data[c * plane + i] = Float(bytes[3 * i + c]) / 255 * 2 - 1 }
        }
        return t
    }

    /// Image `index` of a [B, 3, H, W] tensor in [-1, 1] -> interleaved RGB bytes, as zero123's
    /// demo converts its samples (clamped, scaled by 255, truncated).
    public static func toRGB(_ t: Tensor, index: Int = 0) -> [UInt8] {
        let h = t.shape[2], w = t.shape[3], plane = h * w
        var bytes = [UInt8](repeating: 0, count: plane * 3)
        let base = index * 3 * plane
        for i in 0..<plane {
            for c in 0..<3 {
                let v = min(max((t.data[base + c * plane + i] + 1) / 2, 0), 1) * 255
                bytes[3 * i + c] = UInt8(v)
            }
        }
        return bytes
    }
}
