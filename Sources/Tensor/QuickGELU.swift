// Follows openai/CLIP `clip/model.py` (`QuickGELU`) and transformers `activations.py`
// (`QuickGELUActivation`, the `hidden_act="quick_gelu"` of openai/clip-vit-large-patch14).

/// QuickGELU, x * sigmoid(1.702 x): the activation of every CLIP MLP (OpenAI's ViT and text
/// towers), element-wise, parallel for large tensors.
public func quickGELU(_ x: Tensor) -> Tensor {
    quickGELUMap(x, upstream: nil)
}

/// Gradient of `quickGELU`: dy * (s + 1.702 x s (1 - s)) with s = sigmoid(1.702 x).
public func quickGELUBackward(_ x: Tensor, _ dy: Tensor) -> Tensor {
    precondition(dy.shape == x.shape, "quickGELU gradient \(dy.shape) does not match input \(x.shape)")
    return quickGELUMap(x, upstream: dy)
}

/// The slope of QuickGELU's sigmoid (OpenAI's constant).
private let quickGELUSlope: Float = 1.702

/// y = quickGELU(x), or dx = dy * quickGELU'(x) when `upstream` is given.
private func quickGELUMap(_ x: Tensor, upstream: Tensor?) -> Tensor {
    var y = Tensor(uninitializedShape: x.shape)
    let n = x.count
    x.data.withUnsafeBufferPointer { xb in
        y.data.withUnsafeMutableBufferPointer { yb in
            guard n > 0 else { return }
            let xp = UncheckedSendable(xb.baseAddress!), yp = UncheckedSendable(yb.baseAddress!)
            let up = upstream.map { UncheckedSendable($0.data) }
            ComputeThreads.forEachChunk(n, minimumPerThread: 1 << 15) { _, range in
                let src = xp.value, dst = yp.value
                if let up {
                    up.value.withUnsafeBufferPointer { g in
                        for i in range {
                            let v = src[i]
                            let s = 1 / (1 + fastExp(-quickGELUSlope * v))
                            dst[i] = g[i] * (s + quickGELUSlope * v * s * (1 - s))
                        }
                    }
                } else {
                    for i in range {
                        let v = src[i]
                        dst[i] = v / (1 + fastExp(-quickGELUSlope * v))
                    }
                }
            }
        }
    }
    return y
}
