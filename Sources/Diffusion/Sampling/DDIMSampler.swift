import Tensor

/// Where a sampling run stands after one update, for progress bars and previews.
public struct SamplingProgress: Sendable {
    /// The update just done, 0-based.
    public let index: Int
    /// The number of updates of the run.
    public let count: Int
    /// The timestep the model was evaluated at.
    public let timestep: Int
    /// The sample after this update.
    public let sample: Tensor
    /// The x₀ estimate of this update.
    public let predictedOriginal: Tensor
}

/// ldm's DDIM sampling loop (zero123 `ldm/models/diffusion/ddim.py` `ddim_sampling`), model-agnostic:
/// the caller's closure returns ε for (x_t, t) and does the UNet call and any guidance
/// (`ClassifierFreeGuidance`). By default it samples as zero123 and CustomNet do (ldm spacing,
/// N steps = N − 1 updates); `TimestepSpacing.leading` runs diffusers' DDIMScheduler timesteps.
public struct DDIMSampler: Sendable {
    /// The schedule and update rule.
    public let scheduler: DDIMScheduler

    /// A sampler of `steps` steps with η `eta` over `schedule`.
    /// - Throws: `SamplingError.badSteps` (see `DDIMScheduler.init`).
    public init(schedule: NoiseSchedule, steps: Int = 50, eta: Double = 0, spacing: TimestepSpacing = .ldm) throws(SamplingError) {
        scheduler = try DDIMScheduler(schedule: schedule, steps: steps, eta: eta, spacing: spacing)
    }

    /// A sampler over an already planned scheduler.
    public init(scheduler: DDIMScheduler) { self.scheduler = scheduler }

    /// Runs every update from `initial` (x_T), drawing each update's noise from `noise` when η > 0.
    /// - Parameters:
    ///   - initial: x_T, e.g. `try noise.normal(shape:)` or a tensor loaded from `.npy`.
    ///   - noise: the source of per-step noise (one tensor of x_T's shape per update, in order).
    ///   - progress: called after every update.
    ///   - epsilon: the model's ε for (x_t, t).
    /// - Returns: x₀ after the last update (x_T itself when the plan has no update).
    /// - Throws: `SamplingError` for a wrong-shaped ε or noise, or whatever `epsilon` throws.
    public func sample(from initial: Tensor, noise: inout some NoiseSource,
                       progress: ((SamplingProgress) -> Void)? = nil,
                       epsilon: (_ x: Tensor, _ t: Int) throws -> Tensor) throws -> Tensor {
        var x = initial
        let timesteps = scheduler.timesteps
        for (index, t) in timesteps.enumerated() {
            let eps = try epsilon(x, t)
            let z = scheduler.usesNoise ? try noise.normal(shape: x.shape) : nil
            let step = try scheduler.step(x, epsilon: eps, index: index, noise: z)
            x = step.previous
            progress?(SamplingProgress(index: index, count: timesteps.count, timestep: t,
                                       sample: x, predictedOriginal: step.predictedOriginal))
        }
        return x
    }

    /// Draws x_T from `noise` (shape `shape`) and samples as `sample(from:noise:progress:epsilon:)`:
    /// with `SeededNoise` the stream gives x_T first, then each update's noise.
    public func sample(shape: [Int], noise: inout some NoiseSource,
                       progress: ((SamplingProgress) -> Void)? = nil,
                       epsilon: (_ x: Tensor, _ t: Int) throws -> Tensor) throws -> Tensor {
        let initial = try noise.normal(shape: shape)
        return try sample(from: initial, noise: &noise, progress: progress, epsilon: epsilon)
    }
}
