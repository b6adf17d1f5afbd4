// Reads the folder layout of diffusers' `save_pretrained` (unet/, vae/, image_encoder/, cc_projection/, as
// `cn-model convert --naming diffusers` and diffusers' Zero1to3 conversion write it), renaming every weight
// to ldm's names (the inverse of `DiffusersExport`, after diffusers' `scripts/convert_zero123_to_diffusers.py`).
import Foundation
import NN

/// A diffusers folder seen as one ldm-named checkpoint, with the configuration its config.json files give.
public struct DiffusersFolder {
    /// The weights under ldm names (`model.diffusion_model.*`, `first_stage_model.*`,
    /// `cond_stage_model.model.visual.vision_model.*` (transformers names, which the CLIP loader
    /// reads), `cc_projection.*`).
    public let source: any TensorSource
    /// The UNet and VAE shapes read from config.json.
    public let configuration: LatentDiffusionConfiguration

    /// Whether `path` looks like a diffusers folder (has unet/config.json or vae/config.json).
    public static func isFolder(_ path: String) -> Bool {
        ["unet", "vae"].contains { FileManager.default.fileExists(atPath: path + "/\($0)/config.json") }
    }

    /// Opens the parts present in `path`.
    public init(path: String) throws {
        var configuration = LatentDiffusionConfiguration()
        var sources: [any TensorSource] = []
        if let unet = try Self.config(path, "unet") {
            configuration.unet = try Self.unetConfiguration(unet)
            let file = try SafetensorsFile(path: try Self.weights(path, "unet"))
            sources.append(try TransformedSource(file, transforms: UNetNaming.diffusersToLDM(
                configuration.unet, ldmPrefix: ViewSynthesisModel.Prefix.unet + ".")))
        }
        if let vae = try Self.config(path, "vae") {
            configuration.firstStage = Self.autoencoderConfiguration(vae)
            if let scale = vae["scaling_factor"] as? Double { configuration.scaleFactor = Float(scale) }
            let file = try SafetensorsFile(path: try Self.weights(path, "vae"))
            sources.append(try TransformedSource(file, transforms: AutoencoderKeys.diffusersToLDM(
                levels: configuration.firstStage.network.levelCount)))
        }
        if try Self.config(path, "image_encoder") != nil {
            let file = try SafetensorsFile(path: try Self.weights(path, "image_encoder"))
            sources.append(try TransformedSource(file, transforms: [.rename(KeyRemapping([.prefix("", ViewSynthesisModel.Prefix.imageEncoder + ".")]))]))
        }
        if try Self.config(path, "cc_projection") != nil {
            let file = try SafetensorsFile(path: try Self.weights(path, "cc_projection"))
            sources.append(try TransformedSource(file, transforms: [.rename(KeyRemapping([.prefix("projection.", ViewSynthesisModel.Prefix.projection + ".")]))]))
        }
        guard !sources.isEmpty else {
            throw ModelError(.unreadableCheckpoint, "\(path) holds no unet/, vae/, image_encoder/ or cc_projection/ with a config.json")
        }
        source = try CombinedSource(sources)
        self.configuration = configuration
    }

    static func config(_ folder: String, _ part: String) throws -> [String: Any]? {
        let file = folder + "/\(part)/config.json"
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ModelError(.unreadableConfig, "\(file) is not a JSON object")
        }
        return object
    }

    static func weights(_ folder: String, _ part: String) throws -> String {
        for name in ["diffusion_pytorch_model.safetensors", "model.safetensors"] where FileManager.default.fileExists(atPath: folder + "/\(part)/\(name)") {
            return folder + "/\(part)/\(name)"
        }
        throw ModelError(.unreadableCheckpoint, "\(folder)/\(part) has no diffusion_pytorch_model.safetensors or model.safetensors (convert .bin files first)")
    }

    /// diffusers `UNet2DConditionModel` config -> ldm `unet_config.params`.
    static func unetConfiguration(_ c: [String: Any]) throws -> UNetConfiguration {
        var u = UNetConfiguration()
        guard let channels = c["block_out_channels"] as? [Int], let base = channels.first, base > 0 else {
            throw ModelError(.unreadableConfig, "unet/config.json has no block_out_channels")
        }
        u.modelChannels = base
        u.channelMult = channels.map { $0 / base }
        if let v = c["in_channels"] as? Int { u.inChannels = v }
        if let v = c["out_channels"] as? Int { u.outChannels = v }
        if let v = c["sample_size"] as? Int { u.imageSize = v }
        if let v = c["layers_per_block"] as? Int { u.numResBlocks = v }
        if let v = c["cross_attention_dim"] as? Int { u.contextDim = v }
        if let v = c["attention_head_dim"] as? Int { u.numHeads = v }
        if let v = c["norm_num_groups"] as? Int { u.normGroups = v }
        if let v = c["transformer_layers_per_block"] as? Int { u.transformerDepth = v }
        if let types = c["down_block_types"] as? [String] {
            u.attentionResolutions = types.enumerated().filter { $0.element.hasPrefix("CrossAttn") }.map { 1 << $0.offset }
        }
        return u
    }

    /// diffusers `AutoencoderKL` config -> ldm `first_stage_config.params`.
    static func autoencoderConfiguration(_ c: [String: Any]) -> AutoencoderConfiguration {
        let channels = c["block_out_channels"] as? [Int] ?? [128, 256, 512, 512], base = channels.first ?? 128
        let network = AutoencoderConfiguration.Network(
            zChannels: c["latent_channels"] as? Int ?? 4, resolution: c["sample_size"] as? Int ?? 256,
            inChannels: c["in_channels"] as? Int ?? 3, outChannels: c["out_channels"] as? Int ?? 3, channels: base,
            channelMultipliers: channels.map { $0 / base }, resBlockCount: c["layers_per_block"] as? Int ?? 2)
        return AutoencoderConfiguration(embedDim: c["latent_channels"] as? Int ?? 4, network: network)
    }
}
