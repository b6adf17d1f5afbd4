import Foundation

/// A set of parameters sharing optimiser settings (PyTorch's param_groups). CustomNet trains its
/// text key/value layers and Zero-1-to-3 its cc_projection at 10x the base learning rate:
/// `learningRateMultiplier` expresses that.
public struct ParameterGroup {
    /// A label for logs.
    public var name: String
    /// The parameters, in a stable order.
    public var parameters: [Parameter]
    /// Multiplies the scheduled learning rate for this group.
    public var learningRateMultiplier: Float
    /// Decoupled weight decay coefficient (PyTorch AdamW default 0.01).
    public var weightDecay: Float

    /// A group with the given settings.
    public init(name: String, parameters: [Parameter], learningRateMultiplier: Float = 1, weightDecay: Float = 0.01) {
        self.name = name
        self.parameters = parameters
        self.learningRateMultiplier = learningRateMultiplier
        self.weightDecay = weightDecay
    }

    /// Splits named parameters into groups: each rule (name fragment, multiplier) claims the
    /// parameters whose name contains the fragment (first matching rule wins); the rest form a
    /// "base" group at multiplier 1. E.g. `[("to_k_text", 10), ("to_v_text", 10)]` for CustomNet.
    public static func partition(_ named: [(String, Parameter)], rules: [(fragment: String, multiplier: Float)],
                                 weightDecay: Float = 0.01) -> [ParameterGroup] {
        var base: [Parameter] = []
        var claimed = [[Parameter]](repeating: [], count: rules.count)
        for (name, p) in named {
            if let i = rules.firstIndex(where: { name.contains($0.fragment) }) { claimed[i].append(p) } else { base.append(p) }
        }
        var groups = [ParameterGroup(name: "base", parameters: base, weightDecay: weightDecay)]
        for (i, rule) in rules.enumerated() where !claimed[i].isEmpty {
            groups.append(ParameterGroup(name: rule.fragment, parameters: claimed[i],
                                         learningRateMultiplier: rule.multiplier, weightDecay: weightDecay))
        }
        return groups
    }
}

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
                p.value.data.withUnsafeMutableBufferPointer { w in
                    p.grad.data.withUnsafeBufferPointer { g in
                        m[index].withUnsafeMutableBufferPointer { mb in
                            v[index].withUnsafeMutableBufferPointer { vb in
                                for i in 0..<w.count {
                                    w[i] *= decay
                                    mb[i] = b1 * mb[i] + (1 - b1) * g[i]
                                    vb[i] = b2 * vb[i] + (1 - b2) * g[i] * g[i]
                                    w[i] -= stepSize * mb[i] / (vb[i].squareRoot() / bc2Root + eps)
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

    /// Clears the gradients of every parameter in every group.
    public func zeroGradients() {
        for g in groups { for p in g.parameters { p.zeroGradient() } }
    }
}

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

/// Linear learning-rate warm-up, as ldm's `LambdaLinearScheduler` with one cycle
/// (f_start -> f_max over warm_up_steps, then f_max; Zero-1-to-3 uses 100 steps from 1e-6):
/// factor(n) = start + (1 - start) * n / warmupSteps for n < warmupSteps, else 1.
public struct LinearWarmup: Sendable {
    /// Steps over which the factor rises to 1.
    public var warmupSteps: Int
    /// The factor at step 0 (ldm f_start).
    public var startFactor: Float

    /// A warm-up over `warmupSteps` steps from `startFactor`.
    public init(warmupSteps: Int, startFactor: Float = 1e-6) {
        self.warmupSteps = warmupSteps
        self.startFactor = startFactor
    }

    /// The multiplier of the base learning rate at step n (0-based).
    public func factor(step n: Int) -> Float {
        n < warmupSteps ? startFactor + (1 - startFactor) * Float(n) / Float(warmupSteps) : 1
    }
}

/// Exponential moving average of weights, ldm's `LitEma`: decay_n = min(decay, (1 + n) / (10 + n))
/// with n the number of updates, shadow -= (1 - decay_n) * (shadow - param).
public final class ExponentialMovingAverage {
    /// The averaged copies, one per tracked parameter.
    public private(set) var shadow: [Tensor]
    /// The upper bound of the per-update decay (LitEma default 0.9999).
    public let decay: Float
    /// Updates folded in so far (LitEma num_updates).
    public private(set) var updates = 0
    private let parameters: [Parameter]

    /// Starts the average at the current weights.
    public init(_ parameters: [Parameter], decay: Float = 0.9999) {
        self.parameters = parameters
        self.decay = decay
        shadow = parameters.map(\.value)
    }

    /// Folds the current weights into the average.
    public func update() {
        updates += 1
        let d = min(decay, Float(1 + updates) / Float(10 + updates))
        for (i, p) in parameters.enumerated() {
            for j in 0..<p.value.count { shadow[i].data[j] -= (1 - d) * (shadow[i].data[j] - p.value.data[j]) }
        }
    }

    /// Copies the averaged weights into the parameters (for evaluation or export).
    public func copyToParameters() {
        for (i, p) in parameters.enumerated() { p.value = shadow[i] }
    }
}
