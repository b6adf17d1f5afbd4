import Tensor

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
