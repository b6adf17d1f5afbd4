import Tensor

/// Scales all gradients so that their joint L2 norm is at most `maxNorm`
/// (`torch.nn.utils.clip_grad_norm_`: coefficient maxNorm / (norm + 1e-6), applied when < 1).
/// Returns the norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [Parameter], maxNorm: Float) -> Float {
    var total = 0.0
    for p in parameters { total += p.grad.sumOfSquares() }
    let norm = Float(total.squareRoot())
    let coefficient = maxNorm / (norm + 1e-6)
    if coefficient < 1 {
        for p in parameters { p.grad.scaleInPlace(coefficient) }
    }
    return norm
}
