// Follows diffusers `scripts/convert_zero123_to_diffusers.py` (`convert_ldm_vae_checkpoint`, the
// same rules as `convert_from_ckpt.py`): the ldm <-> diffusers names of AutoencoderKL.
import NN
import Tensor

/// The VAE's checkpoint names in ldm and diffusers, both ways, as `KeyTransform` tables:
///
/// | ldm | diffusers |
/// |---|---|
/// | encoder.down.i.block.j | encoder.down_blocks.i.resnets.j |
/// | encoder.down.i.attn.j | encoder.down_blocks.i.attentions.j |
/// | encoder.down.i.downsample.conv | encoder.down_blocks.i.downsamplers.0.conv |
/// | decoder.up.k.block.j / attn.j | decoder.up_blocks.(L-1-k).resnets.j / attentions.j (reversed) |
/// | decoder.up.k.upsample.conv | decoder.up_blocks.(L-1-k).upsamplers.0.conv |
/// | mid.block_1 / mid.block_2 | mid_block.resnets.0 / mid_block.resnets.1 |
/// | mid.attn_1.{norm, q, k, v, proj_out} | mid_block.attentions.0.{group_norm, to_q, to_k, to_v, to_out.0} |
/// | nin_shortcut | conv_shortcut |
/// | norm_out | conv_norm_out |
/// | conv_in, conv_out, quant_conv, post_quant_conv, norm1/2, conv1/2 | unchanged |
///
/// Attention q/k/v/proj_out weights are 1x1 convs [C, C, 1, 1] in ldm and linears [C, C] in
/// diffusers; the transforms reshape them on the way. L is the level count (`len(ch_mult)`).
public enum AutoencoderKeys {
    /// The diffusers name of an ldm VAE key given without its prefix
    /// (`decoder.up.3.block.0.nin_shortcut.weight` -> `decoder.up_blocks.0.resnets.0.conv_shortcut.weight`
    /// for 4 levels). Throws for a key outside the VAE's layout.
    public static func diffusersName(ldm key: String, levels: Int) throws -> String {
        guard let name = mapLDM(key.split(separator: ".").map(String.init), levels: levels) else {
            throw AutoencoderError(.unknownKey, "\(key) is not an ldm AutoencoderKL key (\(levels) levels)")
        }
        return name.joined(separator: ".")
    }

    /// The ldm name of a diffusers VAE key (the inverse of `diffusersName(ldm:levels:)`). Throws for
    /// a key outside the VAE's layout.
    public static func ldmName(diffusers key: String, levels: Int) throws -> String {
        guard let name = mapDiffusers(key.split(separator: ".").map(String.init), levels: levels) else {
            throw AutoencoderError(.unknownKey, "\(key) is not a diffusers AutoencoderKL key (\(levels) levels)")
        }
        return name.joined(separator: ".")
    }

    /// ldm -> diffusers (`cn-model convert --naming diffusers`): keys under `ldmPrefix` are renamed
    /// to `diffusersPrefix` + their diffusers name and attention weights become [C, C]; other
    /// keys, and keys under the prefix outside the VAE's layout, pass unchanged.
    public static func ldmToDiffusers(levels: Int, ldmPrefix: String = AutoencoderKL.checkpointPrefix + ".",
                                      diffusersPrefix: String = "") -> [KeyTransform] {
        [KeyTransform { key, shape in
            guard key.hasPrefix(ldmPrefix),
                  let renamed = try? diffusersName(ldm: String(key.dropFirst(ldmPrefix.count)), levels: levels) else { return nil }
            let newKey = diffusersPrefix + renamed
            if isDiffusersAttentionWeight(renamed), shape.count == 4, shape[2] == 1, shape[3] == 1 {
                let linearShape = [shape[0], shape[1]]
                return [KeyTransform.Entry(key: newKey, shape: linearShape) { $0.reshaped(linearShape) }]
            }
            return [KeyTransform.Entry(key: newKey, shape: shape) { $0 }]
        }]
    }

    /// diffusers -> ldm (reading a diffusers `vae/` file): keys under `diffusersPrefix` are
    /// renamed to `ldmPrefix` + their ldm name and attention weights become [C, C, 1, 1]; other
    /// keys pass unchanged.
    public static func diffusersToLDM(levels: Int, diffusersPrefix: String = "",
                                      ldmPrefix: String = AutoencoderKL.checkpointPrefix + ".") -> [KeyTransform] {
        [KeyTransform { key, shape in
            guard key.hasPrefix(diffusersPrefix) else { return nil }
            let stem = String(key.dropFirst(diffusersPrefix.count))
            guard let renamed = try? ldmName(diffusers: stem, levels: levels) else { return nil }
            let newKey = ldmPrefix + renamed
            if isDiffusersAttentionWeight(stem), shape.count == 2 {
                let convShape = shape + [1, 1]
                return [KeyTransform.Entry(key: newKey, shape: convShape) { $0.reshaped(convShape) }]
            }
            return [KeyTransform.Entry(key: newKey, shape: shape) { $0 }]
        }]
    }

    // MARK: - Name mapping on dotted components

    /// Whether a diffusers key is an attention projection weight (linear in diffusers, 1x1 conv in ldm).
    private static func isDiffusersAttentionWeight(_ key: String) -> Bool {
        key.contains(".attentions.") && ["to_q.weight", "to_k.weight", "to_v.weight", "to_out.0.weight"].contains { key.hasSuffix($0) }
    }

    private static let resnetLayers: [String: String] = [
        "norm1": "norm1", "conv1": "conv1", "norm2": "norm2", "conv2": "conv2", "nin_shortcut": "conv_shortcut",
    ]
    private static let attentionLayers: [String: [String]] = [
        "norm": ["group_norm"], "q": ["to_q"], "k": ["to_k"], "v": ["to_v"], "proj_out": ["to_out", "0"],
    ]
    private static let parameterNames: Set<String> = ["weight", "bias"]

    /// [layer, param] inside a ResnetBlock, ldm -> diffusers.
    private static func resnet(_ rest: ArraySlice<String>) -> [String]? {
        guard rest.count == 2, let layer = resnetLayers[rest.first!], parameterNames.contains(rest.last!) else { return nil }
        return [layer, rest.last!]
    }

    /// [layer, param] inside an AttnBlock, ldm -> diffusers.
    private static func attention(_ rest: ArraySlice<String>) -> [String]? {
        guard rest.count == 2, let layer = attentionLayers[rest.first!], parameterNames.contains(rest.last!) else { return nil }
        return layer + [rest.last!]
    }

    /// A level's children (`block.j...`, `attn.j...`, `downsample.conv.p` / `upsample.conv.p`), ldm -> diffusers.
    private static func levelChild(_ c: ArraySlice<String>, sampler: String) -> [String]? {
        guard let head = c.first else { return nil }
        let rest = c.dropFirst()
        switch head {
        case "block":
            guard let j = rest.first.flatMap(Int.init), let inner = resnet(rest.dropFirst()) else { return nil }
            return ["resnets", String(j)] + inner
        case "attn":
            guard let j = rest.first.flatMap(Int.init), let inner = attention(rest.dropFirst()) else { return nil }
            return ["attentions", String(j)] + inner
        case sampler:
            guard rest.count == 2, rest.first == "conv", parameterNames.contains(rest.last!) else { return nil }
            return [sampler + "rs", "0", "conv", rest.last!]
        default:
            return nil
        }
    }

    private static func mapLDM(_ c: [String], levels: Int) -> [String]? {
        guard let part = c.first else { return nil }
        if part == "quant_conv" || part == "post_quant_conv" {
            return c.count == 2 && parameterNames.contains(c[1]) ? c : nil
        }
        guard part == "encoder" || part == "decoder", c.count >= 3 else { return nil }
        let body = c.dropFirst()
        switch body.first! {
        case "conv_in", "conv_out":
            return body.count == 2 && parameterNames.contains(body.last!) ? c : nil
        case "norm_out":
            return body.count == 2 && parameterNames.contains(body.last!) ? [part, "conv_norm_out", body.last!] : nil
        case "mid":
            let rest = body.dropFirst()
            switch rest.first {
            case "block_1": return resnet(rest.dropFirst()).map { [part, "mid_block", "resnets", "0"] + $0 }
            case "block_2": return resnet(rest.dropFirst()).map { [part, "mid_block", "resnets", "1"] + $0 }
            case "attn_1": return attention(rest.dropFirst()).map { [part, "mid_block", "attentions", "0"] + $0 }
            default: return nil
            }
        case "down" where part == "encoder":
            guard let i = Int(body.dropFirst().first ?? ""), (0..<levels).contains(i),
                  let inner = levelChild(body.dropFirst(2), sampler: "downsample") else { return nil }
            return [part, "down_blocks", String(i)] + inner
        case "up" where part == "decoder":
            guard let k = Int(body.dropFirst().first ?? ""), (0..<levels).contains(k),
                  let inner = levelChild(body.dropFirst(2), sampler: "upsample") else { return nil }
            return [part, "up_blocks", String(levels - 1 - k)] + inner
        default:
            return nil
        }
    }

    /// The inverse of `mapLDM`: diffusers components -> ldm components.
    private static func mapDiffusers(_ c: [String], levels: Int) -> [String]? {
        guard let part = c.first else { return nil }
        if part == "quant_conv" || part == "post_quant_conv" {
            return c.count == 2 && parameterNames.contains(c[1]) ? c : nil
        }
        guard part == "encoder" || part == "decoder", c.count >= 3 else { return nil }
        let body = Array(c.dropFirst())
        let ldm: [String]?
        switch body[0] {
        case "conv_in", "conv_out":
            ldm = body.count == 2 ? body : nil
        case "conv_norm_out":
            ldm = body.count == 2 ? ["norm_out", body[1]] : nil
        case "mid_block" where body.count >= 3:
            switch (body[1], body[2]) {
            case ("resnets", "0"): ldm = ["mid", "block_1"] + body.dropFirst(3)
            case ("resnets", "1"): ldm = ["mid", "block_2"] + body.dropFirst(3)
            case ("attentions", "0"): ldm = ["mid", "attn_1"] + body.dropFirst(3)
            default: ldm = nil
            }
        case "down_blocks" where part == "encoder" && body.count >= 3:
            ldm = ["down", body[1]] + levelChildBack(body.dropFirst(2), sampler: "downsample")
        case "up_blocks" where part == "decoder" && body.count >= 3:
            guard let k = Int(body[1]), (0..<levels).contains(k) else { return nil }
            ldm = ["up", String(levels - 1 - k)] + levelChildBack(body.dropFirst(2), sampler: "upsample")
        default:
            ldm = nil
        }
        // Leaf names differ (conv_shortcut, group_norm, to_q, to_out.0): map forward from every ldm
        // candidate leaf and keep the one that reproduces the diffusers key.
        guard let stem = ldm else { return nil }
        for candidate in ldmLeafCandidates(stem) where mapLDM([part] + candidate, levels: levels) == c {
            return [part] + candidate
        }
        return nil
    }

    /// A level's children with diffusers collection names turned back into ldm ones (leaves untouched).
    private static func levelChildBack(_ c: ArraySlice<String>, sampler: String) -> [String] {
        switch c.first {
        case "resnets": return ["block"] + c.dropFirst()
        case "attentions": return ["attn"] + c.dropFirst()
        case sampler + "rs": return [sampler] + c.dropFirst(2)
        default: return Array(c)
        }
    }

    /// ldm spellings of a path whose leaf layer may still carry its diffusers name.
    private static func ldmLeafCandidates(_ c: [String]) -> [[String]] {
        var list = [c]
        let inverseResnet = Dictionary(uniqueKeysWithValues: resnetLayers.map { ($1, $0) })
        if c.count >= 2, let layer = inverseResnet[c[c.count - 2]] {
            list.append(Array(c.dropLast(2)) + [layer, c.last!])
        }
        for (ldmLayer, diffusersLayer) in attentionLayers where c.count > diffusersLayer.count
            && Array(c.dropLast().suffix(diffusersLayer.count)) == diffusersLayer {
            list.append(Array(c.dropLast(diffusersLayer.count + 1)) + [ldmLayer, c.last!])
        }
        return list
    }
}
