// Writes the folder layout diffusers' `from_pretrained` reads (diffusers `scripts/convert_zero123_to_diffusers.py`
// renaming; transformers `convert_clip_original_pytorch_to_hf.py` for the image encoder; the community
// `pipeline_zero1to3.py` CCProjection), so PyTorch users can run the same weights.
import Foundation
import NN
import Support
import Tensor

/// An ldm checkpoint as a diffusers folder: `unet/`, `vae/`, `image_encoder/` (transformers
/// `CLIPVisionModelWithProjection`) and `cc_projection/`, each with its `config.json` and safetensors.
public enum DiffusersExport {
    /// Writes every part `source` holds into `folder`; returns the parts written. CustomNet's
    /// `to_k_text` / `to_v_text` have no diffusers counterpart: they are kept under their ldm-style
    /// names inside `unet/`, so diffusers reports them as unexpected keys.
    @discardableResult
    public static func write(_ source: any TensorSource, configuration c: LatentDiffusionConfiguration, to folder: String) throws -> [String] {
        var parts: [String] = []
        let unetPrefix = ViewSynthesisModel.Prefix.unet + "."
        if source.shape(of: unetPrefix + "input_blocks.0.0.weight") != nil {
            var u = c.unet
            u.inChannels = source.shape(of: unetPrefix + "input_blocks.0.0.weight")![1]
            let view = try TransformedSource(PrefixedSource(source, prefix: unetPrefix),
                                             transforms: UNetNaming.ldmToDiffusers(u, ldmPrefix: unetPrefix))
            try writePart(view, config: unetConfig(u), folder: folder + "/unet", file: "diffusion_pytorch_model.safetensors")
            parts.append("unet")
        }
        let vaePrefix = ViewSynthesisModel.Prefix.autoencoder + "."
        if source.shape(of: vaePrefix + "decoder.conv_in.weight") != nil {
            let view = try TransformedSource(PrefixedSource(source, prefix: vaePrefix),
                                             transforms: AutoencoderKeys.ldmToDiffusers(levels: c.firstStage.network.levelCount))
            try writePart(view, config: vaeConfig(c), folder: folder + "/vae", file: "diffusion_pytorch_model.safetensors")
            parts.append("vae")
        }
        let clipPrefix = ViewSynthesisModel.Prefix.imageEncoder + "."
        if source.shape(of: clipPrefix + "conv1.weight") != nil {
            let clip = try CLIPVisionConfiguration.inferred(from: source, prefix: ViewSynthesisModel.Prefix.imageEncoder)
            let view = try TransformedSource(PrefixedSource(source, prefix: clipPrefix),
                                             transforms: [openAIToTransformers(prefix: clipPrefix)])
            try writePart(view, config: clipConfig(clip), folder: folder + "/image_encoder", file: "model.safetensors")
            parts.append("image_encoder")
        }
        let ccPrefix = ViewSynthesisModel.Prefix.projection + "."
        if let shape = source.shape(of: ccPrefix + "weight") {
            let view = try TransformedSource(PrefixedSource(source, prefix: ccPrefix), transforms: [.rename(KeyRemapping([.prefix(ccPrefix, "projection.")]))])
            try writePart(view, config: ["_class_name": "CCProjection", "in_channel": shape[1], "out_channel": shape[0]],
                          folder: folder + "/cc_projection", file: "diffusion_pytorch_model.safetensors")
            parts.append("cc_projection")
        }
        guard !parts.isEmpty else { throw ModelError(.missingPart, "the checkpoint holds no UNet, VAE, CLIP image tower or cc_projection") }
        return parts
    }

    static func writePart(_ view: any TensorSource, config: [String: Any], folder: String, file: String) throws {
        try AtomicFile.makeFolders(folder)
        var tensors: [String: Tensor] = [:]
        for key in view.keys { tensors[key] = try view.tensor(key) }
        try Safetensors.write(tensors, metadata: ["format": "pt"], to: folder + "/" + file)
        let json = try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
        try AtomicFile.write(json, to: folder + "/config.json")
    }

    /// OpenAI CLIP vision names (under `prefix`) -> transformers `CLIPVisionModelWithProjection`
    /// names, the inverse of `CLIPKeyTables.vision(.transformers, ...)`: in_proj split into q/k/v,
    /// `proj` transposed into `visual_projection.weight`.
    static func openAIToTransformers(prefix: String) -> KeyTransform {
        let fixed = ["conv1.weight": "vision_model.embeddings.patch_embedding.weight",
                     "class_embedding": "vision_model.embeddings.class_embedding",
                     "positional_embedding": "vision_model.embeddings.position_embedding.weight",
                     "ln_pre.weight": "vision_model.pre_layrnorm.weight", "ln_pre.bias": "vision_model.pre_layrnorm.bias",
                     "ln_post.weight": "vision_model.post_layernorm.weight", "ln_post.bias": "vision_model.post_layernorm.bias"]
        let block = [("attn.out_proj.", "self_attn.out_proj."), ("ln_1.", "layer_norm1."), ("ln_2.", "layer_norm2."),
                     ("mlp.c_fc.", "mlp.fc1."), ("mlp.c_proj.", "mlp.fc2.")]
        return KeyTransform { key, shape in
            guard key.hasPrefix(prefix) else { return nil }
            let local = String(key.dropFirst(prefix.count))
            if let name = fixed[local] { return [KeyTransform.Entry(key: name, shape: shape) { $0 }] }
            if local == "proj" {
                return [KeyTransform.Entry(key: "visual_projection.weight", shape: [shape[1], shape[0]]) { transpose2D($0) }]
            }
            let stem = "transformer.resblocks."
            guard local.hasPrefix(stem) else { return [] }
            let rest = local.dropFirst(stem.count)
            guard let dot = rest.firstIndex(of: ".") else { return [] }
            let layer = "vision_model.encoder.layers.\(rest[..<dot]).", inner = String(rest[rest.index(after: dot)...])
            if inner == "attn.in_proj_weight" || inner == "attn.in_proj_bias" {
                let kind = inner.hasSuffix("weight") ? "weight" : "bias"
                return KeyTransform.splitFused(suffix: inner, into: ["q", "k", "v"].map { "self_attn.\($0)_proj.\(kind)" })
                    .rewrite(layer + inner, shape)
            }
            guard let (from, to) = block.first(where: { inner.hasPrefix($0.0) }) else { return [] }
            return [KeyTransform.Entry(key: layer + to + inner.dropFirst(from.count), shape: shape) { $0 }]
        }
    }

    static func transpose2D(_ t: Tensor) -> Tensor {
        let rows = t.shape[0], columns = t.shape[1]
        var out = Tensor(shape: [columns, rows])
        for r in 0..<rows { for c in 0..<columns { out.data[c * rows + r] = t.data[r * columns + c] } }
        return out
    }

    static func unetConfig(_ u: UNetConfiguration) -> [String: Any] {
        let levels = u.channelMult.count
        let attention = (0..<levels).map { u.attentionResolutions.contains(1 << $0) }
        return [
            "_class_name": "UNet2DConditionModel", "sample_size": u.imageSize, "in_channels": u.inChannels,
            "out_channels": u.outChannels, "block_out_channels": u.channelMult.map { $0 * u.modelChannels },
            "layers_per_block": u.numResBlocks, "cross_attention_dim": u.contextDim,
            "attention_head_dim": u.numHeadChannels == -1 ? u.numHeads : u.numHeadChannels,
            "down_block_types": attention.map { $0 ? "CrossAttnDownBlock2D" : "DownBlock2D" },
            "up_block_types": attention.reversed().map { $0 ? "CrossAttnUpBlock2D" : "UpBlock2D" },
            "norm_num_groups": u.normGroups, "transformer_layers_per_block": u.transformerDepth,
            "flip_sin_to_cos": true, "freq_shift": 0, "use_linear_projection": false,
        ]
    }

    static func vaeConfig(_ c: LatentDiffusionConfiguration) -> [String: Any] {
        let n = c.firstStage.network
        return [
            "_class_name": "AutoencoderKL", "in_channels": n.inChannels, "out_channels": n.outChannels,
            "block_out_channels": n.channelMultipliers.map { $0 * n.channels }, "layers_per_block": n.resBlockCount,
            "latent_channels": c.firstStage.embedDim, "down_block_types": [String](repeating: "DownEncoderBlock2D", count: n.levelCount),
            "up_block_types": [String](repeating: "UpDecoderBlock2D", count: n.levelCount), "sample_size": n.resolution,
            "scaling_factor": Double(c.scaleFactor), "norm_num_groups": 32, "act_fn": "silu",
        ]
    }

    static func clipConfig(_ v: CLIPVisionConfiguration) -> [String: Any] {
        [
            "architectures": ["CLIPVisionModelWithProjection"], "model_type": "clip_vision_model",
            "hidden_size": v.width, "intermediate_size": v.mlpWidth, "num_hidden_layers": v.layers,
            "num_attention_heads": v.heads, "patch_size": v.patchSize, "image_size": v.imageSize,
            "projection_dim": v.embedDim, "hidden_act": "quick_gelu", "layer_norm_eps": 1e-5, "num_channels": 3,
        ]
    }
}
