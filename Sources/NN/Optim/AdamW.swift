import Tensor
import Foundation

/// AdamW (Loshchilov & Hutter, decoupled weight decay) exactly as `torch.optim.AdamW`
/// (amsgrad off): p *= 1 - lr * wd; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
/// p -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
/// The learning rate of a step is `learningRate * schedule factor * group multiplier`.
public final class AdamW {
    /// The parameter groups being optimised.
    public private(set) var groups: [ParameterGroup]
    /// Base learning rate (before schedule and multipliers).
    public var learningRate: Float
    /// Adam moment decay rates and the denominator epsilon (PyTorch defaults 0.9, 0.999, 1e-8).
    public var beta1: Float, beta2: Float, epsilon: Float
    /// Optional global-norm gradient clipping applied at the start of every `step()` (nil: off).
    public var maxGradientNorm: Float?
    /// Optional learning-rate schedule (nil: constant).
    public var schedule: LinearWarmup?
    /// Steps taken so far (t in the bias corrections).
    public private(set) var stepCount = 0
    private var m: [[Float]], v: [[Float]]

    /// An optimiser over the groups, with PyTorch's defaults (betas 0.9 / 0.999, eps 1e-8).
    public init(groups: [ParameterGroup], learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, maxGradientNorm: Float? = nil, schedule: LinearWarmup? = nil) {
        self.groups = groups
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.maxGradientNorm = maxGradientNorm
        self.schedule = schedule
        let all = groups.flatMap(\.parameters)
        m = all.map { [Float](repeating: 0, count: $0.value.count) }
        v = m
    }

    /// The learning rate the next `step()` uses for a group with multiplier 1.
    public var currentLearningRate: Float {
        learningRate * (schedule?.factor(step: stepCount) ?? 1)
    }

    /// Applies one update from the accumulated gradients; returns the global gradient norm
    /// measured before clipping. Gradients are left in place (call `zeroGradients()`).
    @discardableResult
    public func step() -> Float {
        let all = groups.flatMap(\.parameters)
        let norm = clipGradientNorm(all, maxNorm: maxGradientNorm ?? .infinity)
        let lr = currentLearningRate
        stepCount += 1
        let t = Float(stepCount)
        let bc1 = 1 - pow(beta1, t), bc2 = 1 - pow(beta2, t)
        let bc2Root = bc2.squareRoot()
        var index = 0
        for group in groups {
            let groupLR = lr * group.learningRateMultiplier
            let decay = 1 - groupLR * group.weightDecay
            let stepSize = groupLR / bc1
            for p in group.parameters {
                let (b1, b2, eps) = (beta1, beta2, epsilon)
                // Element-wise, so splitting large tensors across threads changes no result.
                p.value.data.withUnsafeMutableBufferPointer { wb in
                    p.grad.data.withUnsafeBufferPointer { gb in
                        m[index].withUnsafeMutableBufferPointer { mbb in
                            v[index].withUnsafeMutableBufferPointer { vbb in
                                guard wb.count > 0 else { return }
                                let w = UncheckedSendable(wb.baseAddress!), g = UncheckedSendable(gb.baseAddress!)
                                let mb = UncheckedSendable(mbb.baseAddress!), vb = UncheckedSendable(vbb.baseAddress!)
                                ComputeThreads.forEachChunk(wb.count, minimumPerThread: 1 << 14) { _, range in
                                    let w = w.value, g = g.value, mb = mb.value, vb = vb.value
                                    for i in range {
                                        w[i] *= decay
                                        mb[i] = b1 * mb[i] + (1 - b1) * g[i]
                                        vb[i] = b2 * vb[i] + (1 - b2) * g[i] * g[i]
                                        w[i] -= stepSize * mb[i] / (vb[i].squareRoot() / bc2Root + eps)
                                    }
                                }
                            }
                        }
                    }
                }
                index += 1
            }
        }
        return norm
    }

    /// The first and second moment estimates (PyTorch's `exp_avg`, `exp_avg_sq`) of every
    /// parameter, in group order then parameter order (for checkpoints).
    public var moments: [(expAvg: [Float], expAvgSq: [Float])] { zip(m, v).map { ($0, $1) } }

    /// Restores a saved state: the step count and the moments of every parameter, in the order
    /// `moments` gives them; sizes must match.
    public func restore(stepCount: Int, moments: [(expAvg: [Float], expAvgSq: [Float])]) {
        precondition(moments.count == m.count, "AdamW.restore: \(moments.count) moment pairs for \(m.count) parameters")
        for (i, pair) in moments.enumerated() {
            precondition(pair.expAvg.count == m[i].count && pair.expAvgSq.count == v[i].count, "AdamW.restore: size mismatch at \(i)")
            m[i] = pair.expAvg
            v[i] = pair.expAvgSq
        }
        self.stepCount = stepCount
    }

    /// Clears the gradients of every parameter in every group.
    public func zeroGradients() {
        for g in groups { for p in g.parameters { p.zeroGradient() } }
    }
}
