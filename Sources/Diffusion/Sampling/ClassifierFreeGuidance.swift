import Tensor

/// Classifier-free guidance as ldm's `p_sample_ddim` combines the two branches (zero123
/// `ldm/models/diffusion/ddim.py`): ε = ε_u + s·(ε_c − ε_u), in float32, element by element.
public enum ClassifierFreeGuidance {
    /// Combines an unconditional and a conditional ε of the same shape with scale `scale`.
    /// - Throws: `SamplingError.shapeMismatch` when the shapes differ.
    public static func combine(unconditional: Tensor, conditional: Tensor, scale: Float) throws(SamplingError) -> Tensor {
        guard unconditional.shape == conditional.shape else {
            throw SamplingError(.shapeMismatch, "unconditional eps \(unconditional.shape) vs conditional eps \(conditional.shape)")
        }
        var out = unconditional
        for i in 0..<out.data.count {
            out.data[i] = unconditional.data[i] + scale * (conditional.data[i] - unconditional.data[i])
        }
        return out
    }

    /// Combines the output of one batched model call on `[unconditional; conditional]` (ldm
    /// concatenates the unconditional half first and `chunk(2)`s the result).
    /// - Throws: `SamplingError.shapeMismatch` when the batch is not even.
    public static func combine(batched: Tensor, scale: Float) throws(SamplingError) -> Tensor {
        guard let batch = batched.shape.first, batch % 2 == 0, batch > 0 else {
            throw SamplingError(.shapeMismatch, "a guidance batch needs an even leading dimension, got shape \(batched.shape)")
        }
        let half = batched.count / 2
        var shape = batched.shape
        shape[0] = batch / 2
        let unconditional = Tensor(shape: shape, data: Array(batched.data[..<half]))
        let conditional = Tensor(shape: shape, data: Array(batched.data[half...]))
        return try combine(unconditional: unconditional, conditional: conditional, scale: scale)
    }
}
