// Follows zero123 `gradio_new.py` (sample_model) and `ldm/models/diffusion/ddpm.py`
// (LatentDiffusion.apply_model, conditioning_key "hybrid"); CustomNet `main/app.py`.
import Tensor

/// The two conditioning branches of one guided UNet call (ldm's `hybrid` conditioning):
/// c_concat, latents concatenated to x_t on channels, and c_crossattn, the context tokens.
public struct ViewConditioning: Sendable {
    /// [B, concat channels, h, w] for the conditional branch (the reference's VAE posterior
    /// mean, unscaled; CustomNet inpainting adds the background latent).
    public var concatLatent: Tensor
    /// [B, L, 768] context of the conditional branch (zero123: the projected image token;
    /// CustomNet: [image token ; 77 text tokens]).
    public var context: Tensor
    /// The unconditional branch's concat (zeros; inpainting keeps the background half).
    public var unconditionalConcatLatent: Tensor
    /// The unconditional branch's context (zero123: zeros after cc_projection; CustomNet: a zero
    /// image token and the empty prompt's text tokens).
    public var unconditionalContext: Tensor

    /// Both branches.
    public init(concatLatent: Tensor, context: Tensor, unconditionalConcatLatent: Tensor, unconditionalContext: Tensor) {
        self.concatLatent = concatLatent
        self.context = context
        self.unconditionalConcatLatent = unconditionalConcatLatent
        self.unconditionalContext = unconditionalContext
    }

    /// The rows `range` of every branch (a subset of the views).
    func rows(_ range: Range<Int>) -> ViewConditioning {
        if range == 0..<concatLatent.shape[0] { return self }
        return ViewConditioning(concatLatent: slice(concatLatent, range), context: slice(context, range),
                                unconditionalConcatLatent: slice(unconditionalConcatLatent, range),
                                unconditionalContext: slice(unconditionalContext, range))
    }

    /// The UNet input of a guided step, batched as ldm's DDIMSampler does ([unconditional ;
    /// conditional]): x [B, 4, h, w] -> ([2B, 4 + concat, h, w], [2B, L, 768]). With guidance 1
    /// only the conditional half is built.
    func unetInputs(_ x: Tensor, guided: Bool) -> (input: Tensor, context: Tensor) {
        if !guided { return (concat([x, concatLatent], axis: 1), context) }
        let input = concat([concat([x, unconditionalConcatLatent], axis: 1), concat([x, concatLatent], axis: 1)], axis: 0)
        return (input, concat([unconditionalContext, context], axis: 0))
    }
}

/// Rows `range` of a tensor's first axis.
func slice(_ t: Tensor, _ range: Range<Int>) -> Tensor {
    if range == 0..<t.shape[0] { return t }
    let row = t.count / t.shape[0]
    return Tensor(shape: [range.count] + t.shape.dropFirst(), data: Array(t.data[(range.lowerBound * row)..<(range.upperBound * row)]))
}
