// Follows the ldm YAML that zero123 (`configs/sd-objaverse-finetune-c_concat-256.yaml`) and
// CustomNet (`configs/config_customnet.yaml`) ship: `model.params` of `LatentDiffusion`.
import Foundation
import Yams

/// What the view-synthesis core reads from ldm's YAML: the UNet (`unet_config.params`), the
/// first stage (`first_stage_config.params`), the latent scale and the noise schedule. Fields not
/// given keep zero123's released values; keys this project does not use are ignored, as ldm's own
/// `instantiate_from_config` ignores what a class does not take.
public struct LatentDiffusionConfiguration: Sendable, Equatable {
    /// `unet_config.params`.
    public var unet = UNetConfiguration()
    /// `first_stage_config.params`.
    public var firstStage = AutoencoderConfiguration.zero123
    /// Latent scale (`scale_factor`, 0.18215 for the SD VAE).
    public var scaleFactor: Float = 0.18215
    /// `linear_start`, `linear_end`, `timesteps` of the linear beta schedule.
    public var linearStart = 0.00085, linearEnd = 0.012, timesteps = 1000

    /// zero123's released configuration.
    public init() {}

    /// Reads an ldm YAML file (`model.params`, or the params mapping itself).
    public init(yamlFile path: String) throws {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ModelError(.unreadableConfig, "cannot read the model config \(path): \(error.localizedDescription)")
        }
        try self.init(yaml: text, source: path)
    }

    /// Parses ldm YAML text; `source` names it in errors.
    public init(yaml text: String, source: String = "model config") throws {
        do {
            let file = try YAMLDecoder().decode(File.self, from: text)
            guard let params = file.model?.params ?? file.params else {
                throw ModelError(.unreadableConfig, "\(source) has no model.params section (is it an ldm YAML?)")
            }
            if let unet = params.unetConfig?.params { self.unet = unet }
            if let firstStage = params.firstStageConfig?.params { self.firstStage = firstStage }
            if let v = params.scaleFactor { scaleFactor = v }
            if let v = params.linearStart { linearStart = v }
            if let v = params.linearEnd { linearEnd = v }
            if let v = params.timesteps { timesteps = v }
        } catch let error as ModelError {
            throw error
        } catch {
            throw ModelError(.unreadableConfig, "\(source) is not a readable ldm YAML: \(error)")
        }
    }

    struct File: Decodable {
        var model: Model?
        var params: Params?
        struct Model: Decodable { var params: Params? }
    }

    struct Params: Decodable {
        var unetConfig: Section<UNetConfiguration>?
        var firstStageConfig: Section<AutoencoderConfiguration>?
        var scaleFactor: Float?
        var linearStart: Double?
        var linearEnd: Double?
        var timesteps: Int?

        enum CodingKeys: String, CodingKey {
            case unetConfig = "unet_config", firstStageConfig = "first_stage_config", scaleFactor = "scale_factor"
            case linearStart = "linear_start", linearEnd = "linear_end", timesteps
        }
    }

    struct Section<Params: Decodable>: Decodable { var params: Params? }
}
