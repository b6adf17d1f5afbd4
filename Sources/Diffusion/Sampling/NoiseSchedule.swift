/// The ldm "linear" noise schedule, as zero123 `ldm/modules/diffusionmodules/util.py`
/// `make_beta_schedule` and `ldm/models/diffusion/ddpm.py` `register_schedule` build it:
/// β = linspace(√linear_start, √linear_end, timesteps)² in float64, ᾱ = cumprod(1 − β) in float64,
/// stored as float32 (the model's `alphas_cumprod` buffer).
public struct NoiseSchedule: Sendable, Equatable {
    /// `linear_start` of the ldm config (0.00085 for zero123 and CustomNet).
    public let linearStart: Double
    /// `linear_end` of the ldm config (0.012 for zero123 and CustomNet).
    public let linearEnd: Double
    /// The β of every training timestep, float64 as ldm computes them.
    public let betas: [Double]
    /// ᾱ_t = ∏_{s≤t}(1 − β_s), computed in float64 and rounded to float32 as ldm's buffer holds it.
    public let alphasCumprod: [Float]

    /// The number of training timesteps (`timesteps` of the ldm config, 1000).
    public var timesteps: Int { betas.count }

    /// Builds the schedule from the ldm config's `linear_start`, `linear_end` and `timesteps`
    /// (defaults: zero123's `sd-objaverse-finetune-c_concat-256.yaml`).
    /// - Throws: `SamplingError.badSchedule` unless 0 < linear_start ≤ linear_end < 1 and timesteps ≥ 2.
    public init(linearStart: Double = 0.00085, linearEnd: Double = 0.012, timesteps: Int = 1000) throws(SamplingError) {
        guard linearStart > 0, linearStart <= linearEnd, linearEnd < 1, timesteps >= 2 else {
            throw SamplingError(.badSchedule, "linear schedule needs 0 < linear_start <= linear_end < 1 and timesteps >= 2, "
                + "got linear_start \(linearStart), linear_end \(linearEnd), timesteps \(timesteps)")
        }
        self.linearStart = linearStart
        self.linearEnd = linearEnd
        let roots = NoiseSchedule.torchLinspace(linearStart.squareRoot(), linearEnd.squareRoot(), count: timesteps)
        betas = roots.map { $0 * $0 }
        var product = 1.0
        alphasCumprod = betas.map { beta in
            product *= 1 - beta
            return Float(product)
        }
    }

    /// `torch.linspace` in float64 as its CPU kernel evaluates it: the first half counts up from
    /// `start`, the second half counts down from `end`, so both ends are exact.
    static func torchLinspace(_ start: Double, _ end: Double, count: Int) -> [Double] {
        let step = (end - start) / Double(count - 1)
        let halfway = count / 2
        return (0..<count).map { i in
            i < halfway ? start + step * Double(i) : end - step * Double(count - i - 1)
        }
    }
}
