import Tensor

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

    /// Restores a saved average and its update count (for resuming a run).
    public func restore(shadow: [Tensor], updates: Int) {
        precondition(shadow.count == parameters.count && zip(shadow, parameters).allSatisfy { $0.shape == $1.value.shape },
                     "ExponentialMovingAverage.restore: shapes differ from the tracked parameters")
        self.shadow = shadow
        self.updates = updates
    }

    /// Copies the averaged weights into the parameters (for evaluation or export).
    public func copyToParameters() {
        for (i, p) in parameters.enumerated() { p.value = shadow[i] }
    }
}
