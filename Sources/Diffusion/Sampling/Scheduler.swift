import Tensor

/// One update of a sampler: the sample at the next (lower) timestep and the clean-sample
/// estimate it was built from (ldm's `x_prev`, `pred_x0`).
public struct SchedulerStep: Sendable {
    /// x_{t_prev}.
    public let previous: Tensor
    /// The predicted x₀ at this step.
    public let predictedOriginal: Tensor
}

/// An epsilon-parameterised sampler's schedule and update rule, in the shape of diffusers'
/// `SchedulerMixin` (`set_timesteps` + `step`) and apple/ml-stable-diffusion's `Scheduler`:
/// model-agnostic, the caller supplies ε.
public protocol Scheduler: Sendable {
    /// The timesteps the model is evaluated at, in sampling order.
    var timesteps: [Int] { get }
    /// Whether `step` consumes a standard-normal noise tensor (η > 0).
    var usesNoise: Bool { get }
    /// One update from `sample` at `timesteps[index]` with the model's ε; `noise` is the
    /// standard-normal draw of this step when `usesNoise`, else ignored.
    func step(_ sample: Tensor, epsilon: Tensor, index: Int, noise: Tensor?) throws(SamplingError) -> SchedulerStep
}
