import Foundation
import Pipeline

/// The `synthesize` step's settings (Pipelines/openimages.yaml `config:`). Pose sampling follows
/// CustomNet's scripts/process_data.sh: integer degrees x (polar) from U[polar_min, polar_max)
/// and y (azimuth) from U[azimuth_min, azimuth_max), views (x, y, 0) and (-x, -y, 0).
public struct SynthesizeConfig: StageConfiguration, Equatable {
    /// The view-synthesis backend.
    public var backend = SynthesisBackendName.render
    /// Polar offset range in integer degrees, [min, max).
    public var polarMin = 0, polarMax = 60
    /// Azimuth offset range in integer degrees, [min, max).
    public var azimuthMin = 0, azimuthMax = 60
    /// The radius offset z of both views (CustomNet: 0).
    public var radius = 0.0
    /// Output canvas side and the object's long side on it (zero123 input framing: 256 / 200).
    public var canvas = 256, longSide = 200
    /// Render backend: square render size and supersampling of the views before framing.
    public var renderSize = 256, supersampling = 2
    /// Diffusion backend: the checkpoint (ldm naming: .ckpt / .safetensors), the ldm YAML
    /// (nil: zero123's released config; also gives the external backend's noise shape), EMA weights.
    public var checkpoint: String?, modelConfig: String?, ema = false
    /// Diffusion backend: DDIM steps (ldm spacing: N steps = N-1 updates), guidance scale, eta, spacing.
    public var steps = 50, guidance = 3.0, eta = 0.0, spacing = SynthesisSpacing.ldm
    /// Diffusion backend: UNet rows per call, guidance pairs counting two (4: both views of an
    /// item with their pairs in one call). The same batch gives the same bytes.
    public var batch = 4
    /// External backend: argv of a command speaking the JSON-lines protocol, items per run of it,
    /// seconds per run.
    public var command: [String]?, batchSize = 8, timeLimit = 600.0

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SynthesizeConfig()
        backend = try c.decodeIfPresent(SynthesisBackendName.self, forKey: .backend) ?? d.backend
        polarMin = try c.decodeIfPresent(Int.self, forKey: .polarMin) ?? d.polarMin
        polarMax = try c.decodeIfPresent(Int.self, forKey: .polarMax) ?? d.polarMax
        azimuthMin = try c.decodeIfPresent(Int.self, forKey: .azimuthMin) ?? d.azimuthMin
        azimuthMax = try c.decodeIfPresent(Int.self, forKey: .azimuthMax) ?? d.azimuthMax
        radius = try c.decodeIfPresent(Double.self, forKey: .radius) ?? d.radius
        canvas = try c.decodeIfPresent(Int.self, forKey: .canvas) ?? d.canvas
        longSide = try c.decodeIfPresent(Int.self, forKey: .longSide) ?? d.longSide
        renderSize = try c.decodeIfPresent(Int.self, forKey: .renderSize) ?? d.renderSize
        supersampling = try c.decodeIfPresent(Int.self, forKey: .supersampling) ?? d.supersampling
        checkpoint = try c.decodeIfPresent(String.self, forKey: .checkpoint)
        modelConfig = try c.decodeIfPresent(String.self, forKey: .modelConfig)
        ema = try c.decodeIfPresent(Bool.self, forKey: .ema) ?? d.ema
        steps = try c.decodeIfPresent(Int.self, forKey: .steps) ?? d.steps
        guidance = try c.decodeIfPresent(Double.self, forKey: .guidance) ?? d.guidance
        eta = try c.decodeIfPresent(Double.self, forKey: .eta) ?? d.eta
        spacing = try c.decodeIfPresent(SynthesisSpacing.self, forKey: .spacing) ?? d.spacing
        batch = try c.decodeIfPresent(Int.self, forKey: .batch) ?? d.batch
        command = try c.decodeIfPresent([String].self, forKey: .command)
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? d.batchSize
        timeLimit = try c.decodeIfPresent(Double.self, forKey: .timeLimit) ?? d.timeLimit
    }

    /// The accepted keys.
    public static var acceptedKeys: [String] { CodingKeys.allCases.map(\.rawValue) }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case backend, radius, canvas, supersampling
        case polarMin = "polar_min", polarMax = "polar_max", azimuthMin = "azimuth_min", azimuthMax = "azimuth_max"
        case longSide = "long_side", renderSize = "render_size"
        case checkpoint, modelConfig = "model_config", ema, steps, guidance, eta, spacing, batch
        case command, batchSize = "batch_size", timeLimit = "time_limit"
    }

    /// Checks ranges, naming the field to fix (the checks `StageConfig.decode` runs at start).
    public func validated() throws -> SynthesizeConfig {
        try validate(ConfigCheck(step: "synthesize"))
        return self
    }

    /// Every setting within its range, whichever backend is chosen, then what the backend needs.
    public func validate(_ check: ConfigCheck) throws {
        typealias K = CodingKeys
        try check.integer(K.polarMin.rawValue, polarMin, in: -180...180)
        try check.integer(K.polarMax.rawValue, polarMax, in: -180...180)
        try check.require(polarMax > polarMin, K.polarMax.rawValue, "must exceed polar_min (got [\(polarMin), \(polarMax)))")
        try check.integer(K.azimuthMin.rawValue, azimuthMin, in: -360...360)
        try check.integer(K.azimuthMax.rawValue, azimuthMax, in: -360...360)
        try check.require(azimuthMax > azimuthMin, K.azimuthMax.rawValue, "must exceed azimuth_min (got [\(azimuthMin), \(azimuthMax)))")
        try check.number(K.radius.rawValue, radius, in: -10...10)
        try check.integer(K.canvas.rawValue, canvas, in: 16...4096)
        try check.integer(K.longSide.rawValue, longSide, in: 1...canvas)
        try check.integer(K.renderSize.rawValue, renderSize, in: 16...4096)
        try check.integer(K.supersampling.rawValue, supersampling, in: 1...8)
        try check.integer(K.steps.rawValue, steps, in: spacing == .ldm ? 2...1000 : 1...1000)
        try check.number(K.guidance.rawValue, guidance, in: 0...100)
        try check.number(K.eta.rawValue, eta, in: 0...1)
        try check.integer(K.batch.rawValue, batch, in: 1...1024)
        try check.integer(K.batchSize.rawValue, batchSize, in: 1...100_000)
        try check.positive(K.timeLimit.rawValue, timeLimit, atMost: 604_800)
        if backend == .diffusion || backend == .auto {
            try check.require(checkpoint != nil, K.checkpoint.rawValue,
                              "is needed by backend \(backend.rawValue) (an ldm-layout .ckpt or .safetensors)")
        }
        if backend == .external {
            try check.require(!(command ?? []).isEmpty, K.command.rawValue,
                              "is needed by backend external (a list, the argv of the client)")
        }
    }
}

/// The view-synthesis backends (the `backend:` key of the synthesize step).
public enum SynthesisBackendName: String, ConfigChoice {
    /// Exact views of objects with a known mesh and pose (the fixture's objects).
    case render
    /// The project's view-conditioned diffusion model (zero123 / CustomNet weights).
    case diffusion
    /// `render` where the object's mesh is known, `diffusion` otherwise.
    case auto
    /// A user's command speaking the JSON-lines protocol (e.g. scripts/external/zero123_diffusers.py on a GPU).
    case external
}

/// DDIM timestep spacing (the `spacing:` key): ldm's uniform grid with N-1 updates (zero123,
/// CustomNet) or diffusers' leading grid with N.
public enum SynthesisSpacing: String, ConfigChoice {
    case ldm, leading
}
