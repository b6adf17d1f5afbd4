import Foundation
import NN
import Support
import Tensor
import Testing
@testable import Diffusion

/// The VAE's configuration, parameter names and count, key tables and error messages, without Python.
@Suite("AutoencoderKL structure") struct AutoencoderConfigurationTests {
    /// zero123's `first_stage_config.params` as the YAML states it (here as JSON).
    static let zero123Params = #"""
    {"embed_dim": 4, "monitor": "val/rec_loss",
     "ddconfig": {"double_z": true, "z_channels": 4, "resolution": 256, "in_channels": 3, "out_ch": 3,
                  "ch": 128, "ch_mult": [1, 2, 4, 4], "num_res_blocks": 2, "attn_resolutions": [], "dropout": 0.0},
     "lossconfig": {"target": "torch.nn.Identity"}}
    """#

    @Test func decodesLDMNamesAndDefaults() throws {
        let decoded = try JSONDecoder().decode(AutoencoderConfiguration.self, from: Data(Self.zero123Params.utf8))
        #expect(decoded == .zero123)
        let partial = try JSONDecoder().decode(AutoencoderConfiguration.self, from: Data(#"{"ddconfig": {"ch": 64}}"#.utf8))
        #expect(partial.network.channels == 64 && partial.embedDim == 4 && partial.network.channelMultipliers == [1, 2, 4, 4])
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(AutoencoderConfiguration.zero123)) as? [String: Any]
        #expect((encoded?["ddconfig"] as? [String: Any])?["num_res_blocks"] as? Int == 2)
    }

    @Test func zero123ParameterNamesAndCount() throws {
        let vae = try AutoencoderKL(.zero123)
        // model.md section 8: 83,653,863 parameters, 34,163,664 in encoder + quant_conv.
        #expect(vae.parameterCount == 83_653_863)
        #expect(vae.encoder.parameterCount + vae.quantConv.parameterCount == 34_163_664)
        let names = Set(vae.namedParameters(prefix: AutoencoderKL.checkpointPrefix).map(\.0))
        for key in ["encoder.conv_in.weight", "encoder.down.0.block.1.conv2.bias", "encoder.down.1.block.0.nin_shortcut.weight",
                    "encoder.down.2.downsample.conv.weight", "encoder.mid.attn_1.proj_out.weight", "encoder.norm_out.bias",
                    "quant_conv.weight", "post_quant_conv.bias", "decoder.mid.block_2.norm1.weight",
                    "decoder.up.3.block.2.conv1.weight", "decoder.up.1.block.0.nin_shortcut.bias",
                    "decoder.up.1.upsample.conv.weight", "decoder.conv_out.weight"] {
            #expect(names.contains("first_stage_model." + key), "missing \(key)")
        }
        #expect(!names.contains("first_stage_model.encoder.down.3.downsample.conv.weight"))
        #expect(!names.contains("first_stage_model.decoder.up.0.upsample.conv.weight"))
        let shapes = Dictionary(uniqueKeysWithValues: vae.namedParameters().map { ($0.0, $0.1.value.shape) })
        #expect(shapes["encoder.mid.attn_1.q.weight"] == [512, 512, 1, 1])
        #expect(shapes["encoder.conv_out.weight"] == [8, 512, 3, 3])
        #expect(shapes["quant_conv.weight"] == [8, 8, 1, 1])
        #expect(shapes["decoder.up.0.block.0.nin_shortcut.weight"] == [128, 256, 1, 1])
    }

    @Test func keyTablesRoundTripEveryParameter() throws {
        // Names do not depend on widths: zero123's key set at a quarter of its width.
        let vae = try AutoencoderKL(AutoencoderConfiguration(network: .init(channels: 32)))
        #expect(vae.namedParameters().count == 248)
        var seen = Set<String>()
        for (name, _) in vae.namedParameters() {
            let diffusers = try AutoencoderKeys.diffusersName(ldm: name, levels: 4)
            #expect(try AutoencoderKeys.ldmName(diffusers: diffusers, levels: 4) == name)
            #expect(seen.insert(diffusers).inserted, "two ldm keys map to \(diffusers)")
        }
        #expect(try AutoencoderKeys.diffusersName(ldm: "decoder.up.3.block.0.nin_shortcut.weight", levels: 4)
                == "decoder.up_blocks.0.resnets.0.conv_shortcut.weight")
        #expect(try AutoencoderKeys.diffusersName(ldm: "encoder.mid.attn_1.proj_out.bias", levels: 4)
                == "encoder.mid_block.attentions.0.to_out.0.bias")
        #expect(try AutoencoderKeys.diffusersName(ldm: "encoder.down.2.downsample.conv.weight", levels: 4)
                == "encoder.down_blocks.2.downsamplers.0.conv.weight")
        #expect(try AutoencoderKeys.diffusersName(ldm: "decoder.norm_out.weight", levels: 4) == "decoder.conv_norm_out.weight")
        #expect(throws: AutoencoderError.self) { try AutoencoderKeys.diffusersName(ldm: "decoder.up.4.block.0.conv1.weight", levels: 4) }
        #expect(throws: AutoencoderError.self) { try AutoencoderKeys.ldmName(diffusers: "encoder.mid_block.attentions.0.query.weight", levels: 4) }
    }

    @Test func transformsReshapeAttentionAndLeaveOtherKeys() throws {
        let source = TensorDictionary([
            "first_stage_model.encoder.mid.attn_1.q.weight": Tensor(shape: [2, 2, 1, 1], data: [1, 2, 3, 4]),
            "first_stage_model.encoder.conv_in.bias": Tensor(shape: [2], data: [5, 6]),
            "model.diffusion_model.out.2.bias": Tensor(shape: [1], data: [7]),
        ])
        let diffusers = try TransformedSource(source, transforms: AutoencoderKeys.ldmToDiffusers(levels: 4, diffusersPrefix: "vae."))
        #expect(diffusers.keys == ["model.diffusion_model.out.2.bias", "vae.encoder.conv_in.bias", "vae.encoder.mid_block.attentions.0.to_q.weight"])
        #expect(diffusers.shape(of: "vae.encoder.mid_block.attentions.0.to_q.weight") == [2, 2])
        let back = try TransformedSource(diffusers, transforms: AutoencoderKeys.diffusersToLDM(levels: 4, diffusersPrefix: "vae."))
        #expect(Set(back.keys) == Set(source.keys))
        for key in source.keys { #expect(try back.tensor(key) == source.tensor(key)) }
    }

    @Test func readableErrors() throws {
        var bad = AutoencoderConfiguration.zero123
        bad.network.channels = 48
        #expect(throws: AutoencoderError(.badConfiguration,
            "VAE configuration: 48 channels are not divisible by the 32 GroupNorm groups (ch 48, ch_mult [1, 2, 4, 4])")) {
            try AutoencoderKL(bad)
        }
        var small = AutoencoderConfiguration.zero123
        small.network.channels = 32
        small.network.channelMultipliers = [1, 1]
        let vae = try AutoencoderKL(small)
        #expect(throws: AutoencoderError(.badInput, "VAE encode expects an image [N, 3, H, W] with H, W >= 2, got [1, 4, 8, 8]")) {
            try vae.encode(Tensor(shape: [1, 4, 8, 8]))
        }
        #expect(throws: AutoencoderError(.badInput, "VAE decode expects a latent [N, 4, h, w], got [1, 8, 4]")) {
            try vae.decode(Tensor(shape: [1, 8, 4]))
        }
        #expect(AutoencoderError.Reason.allCases.map(\.rawValue) == ["bad-vae-config", "bad-vae-input", "unknown-vae-key"])
        let missing = TensorDictionary(["first_stage_model.quant_conv.weight": Tensor(shape: [8, 8, 1, 1])])
        #expect(throws: TensorError.self) { try vae.loadCheckpoint(missing) }
    }

    @Test func oddSizesFollowLDMShapes() throws {
        var config = AutoencoderConfiguration.zero123
        config.network.channels = 32
        config.network.channelMultipliers = [1, 2]
        var random = SeededRandom(seed: 3)
        let vae = try AutoencoderKL(config, random: &random)
        // Downsample: pad (0,1,0,1) then stride 2 -> floor(H / 2).
        let posterior = try vae.encode(Tensor.randomUniform(shape: [1, 3, 9, 6], lower: -1, upper: 1, random: &random))
        #expect(posterior.mean.shape == [1, 4, 4, 3])
        #expect(try vae.decode(posterior.mean).shape == [1, 3, 8, 6])
    }
}
