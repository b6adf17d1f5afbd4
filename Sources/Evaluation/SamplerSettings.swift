// The `sampler` field of a report (issue 12): {"name": "ddim", "steps", "eta", "guidance_scale",
// "seed"}, the DDIM settings the predictions were generated with (ldm's DDIMSampler, as zero123 samples).

/// The sampler settings a report records.
public struct SamplerSettings: Sendable, Equatable {
    /// DDIM steps (ldm's count: N steps = N - 1 updates).
    public var steps: Int
    /// DDIM eta (0: deterministic).
    public var eta: Double
    /// Classifier-free guidance scale.
    public var guidanceScale: Double
    /// The run seed each item's noise is derived from.
    public var seed: UInt64

    /// Settings.
    public init(steps: Int, eta: Double = 0, guidanceScale: Double, seed: UInt64) {
        self.steps = steps
        self.eta = eta
        self.guidanceScale = guidanceScale
        self.seed = seed
    }

    /// The JSON object of report.json's "sampler".
    public var json: String {
        "{\"name\": \"ddim\", \"steps\": \(steps), \"eta\": \(eta), \"guidance_scale\": \(guidanceScale), \"seed\": \(seed)}"
    }
}
