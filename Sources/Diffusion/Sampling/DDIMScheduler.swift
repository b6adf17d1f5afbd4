import Tensor

/// DDIM's schedule and update (Song et al. 2021, eq. 12) with the per-step scalars exactly as
/// ldm's `DDIMSampler` holds them (zero123 `ldm/models/diffusion/ddim.py` `make_schedule` and
/// `p_sample_ddim`, `ldm/modules/diffusionmodules/util.py` `make_ddim_sampling_parameters`):
/// ᾱ_t and ᾱ_prev are the float32 buffer values, σ = η·√((1−ᾱ_prev)/(1−ᾱ_t)·(1−ᾱ_t/ᾱ_prev)) is
/// evaluated in float64 from them except 1/(1−ᾱ_t), which ldm gets in float32 (a float64 array
/// divided by a float32 tensor runs as `reciprocal()` then a float64 product), and rounded to
/// float32; the update runs in float32:
/// x₀ = (x − √(1−ᾱ_t)·ε)/√ᾱ_t, x_prev = √ᾱ_prev·x₀ + √(1−ᾱ_prev−σ²)·ε + σ·z.
public struct DDIMScheduler: Scheduler {
    /// The per-step scalars of one update, float32 as ldm's buffers hold them.
    public struct Coefficients: Sendable, Equatable {
        /// The timestep the model sees.
        public let timestep: Int
        /// ᾱ_t (`ddim_alphas[index]`).
        public let alpha: Float
        /// ᾱ_prev (`ddim_alphas_prev[index]`).
        public let alphaPrevious: Float
        /// σ_t (`ddim_sigmas[index]`).
        public let sigma: Float
    }

    /// The spacing the timesteps follow.
    public let spacing: TimestepSpacing
    /// η: 0 is deterministic DDIM, 1 is DDPM-like ancestral noise (zero123's gradio default).
    public let eta: Double
    /// The scalars of every update, in sampling order.
    public let coefficients: [Coefficients]

    /// The timesteps of `coefficients`, in sampling order.
    public var timesteps: [Int] { coefficients.map(\.timestep) }
    /// Whether updates add σ·z (η ≠ 0).
    public var usesNoise: Bool { eta != 0 }

    /// Plans `steps` sampling steps over `schedule` (ldm spacing: `steps − 1` updates).
    /// - Throws: `SamplingError.badSteps` when steps is outside 1..<T (at T steps the grid
    ///   i·⌊T/steps⌋ + 1 reaches T, where ldm and diffusers both index past ᾱ) or η is negative or
    ///   not finite.
    public init(schedule: NoiseSchedule, steps: Int, eta: Double = 0, spacing: TimestepSpacing = .ldm) throws(SamplingError) {
        guard steps >= 1, steps < schedule.timesteps else {
            throw SamplingError(.badSteps, "sampling steps must be in 1..<\(schedule.timesteps), got \(steps): "
                + "more reach timestep \(schedule.timesteps), past the schedule")
        }
        guard eta >= 0, eta.isFinite else {
            throw SamplingError(.badSteps, "eta must be a finite number >= 0, got \(eta)")
        }
        self.spacing = spacing
        self.eta = eta
        let alphas = schedule.alphasCumprod
        coefficients = spacing.visits(steps: steps, trainingTimesteps: schedule.timesteps).map { visit in
            let alpha = alphas[visit.timestep]
            let alphaPrevious = alphas[visit.previous]
            let a = Double(alpha), ap = Double(alphaPrevious)
            let reciprocal = Double(1 / (1 - alpha))
            let sigma = eta * ((1 - ap) * reciprocal * (1 - a / ap)).squareRoot()
            return Coefficients(timestep: visit.timestep, alpha: alpha, alphaPrevious: alphaPrevious, sigma: Float(sigma))
        }
    }

    /// One DDIM update (ldm `p_sample_ddim`) from `sample` at `timesteps[index]`.
    public func step(_ sample: Tensor, epsilon: Tensor, index: Int, noise: Tensor?) throws(SamplingError) -> SchedulerStep {
        guard epsilon.shape == sample.shape else {
            throw SamplingError(.shapeMismatch, "epsilon has shape \(epsilon.shape), the sample \(sample.shape)")
        }
        let c = coefficients[index]
        let sqrtAlpha = c.alpha.squareRoot()
        let sqrtOneMinusAlpha = (1 - c.alpha).squareRoot()
        let sqrtAlphaPrevious = c.alphaPrevious.squareRoot()
        let direction = (1 - c.alphaPrevious - c.sigma * c.sigma).squareRoot()
        var z: [Float]? = nil
        if usesNoise {
            guard let noise, noise.shape == sample.shape else {
                throw SamplingError(.shapeMismatch, "step noise has shape \(noise?.shape ?? []), the sample \(sample.shape)")
            }
            z = noise.data
        }
        var previous = sample
        var original = sample
        let x = sample.data, e = epsilon.data
        for i in 0..<x.count {
            let x0 = (x[i] - sqrtOneMinusAlpha * e[i]) / sqrtAlpha
            original.data[i] = x0
            var value = sqrtAlphaPrevious * x0 + direction * e[i]
            if let z { value += c.sigma * z[i] }
            previous.data[i] = value
        }
        return SchedulerStep(previous: previous, predictedOriginal: original)
    }
}
