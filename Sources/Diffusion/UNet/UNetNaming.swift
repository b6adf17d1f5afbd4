// Follows diffusers `scripts/convert_zero123_to_diffusers.py` / `convert_from_ckpt.py` (the UNet
// renaming rules, summarised in the project's model notes, section 2).
import NN

/// The two names of every UNet weight: ldm's (`input_blocks.4.1.proj_in.weight`) and diffusers'
/// `UNet2DConditionModel` (`down_blocks.1.attentions.0.proj_in.weight`), derived from the
/// configuration's block structure, as `[KeyTransform]` tables in both directions.
public enum UNetNaming {
    /// ResBlock inner names, ldm -> diffusers.
    static let resnetInner: [(String, String)] = [
        ("in_layers.0.", "norm1."), ("in_layers.2.", "conv1."), ("emb_layers.1.", "time_emb_proj."),
        ("out_layers.0.", "norm2."), ("out_layers.3.", "conv2."), ("skip_connection.", "conv_shortcut."),
    ]

    /// (ldm prefix, diffusers prefix, is a ResBlock) for every module of the UNet of `c`.
    static func modulePrefixes(_ c: UNetConfiguration) -> [(ldm: String, diffusers: String, resnet: Bool)] {
        let levels = c.channelMult.count, perLevel = c.numResBlocks + 1
        let attention = (0..<levels).map { c.attentionResolutions.contains(1 << $0) }
        var list: [(String, String, Bool)] = [("time_embed.0.", "time_embedding.linear_1.", false),
                                              ("time_embed.2.", "time_embedding.linear_2.", false),
                                              ("input_blocks.0.0.", "conv_in.", false)]
        for b in 0..<levels {
            for l in 0..<c.numResBlocks {
                let i = b * perLevel + l + 1
                list.append(("input_blocks.\(i).0.", "down_blocks.\(b).resnets.\(l).", true))
                if attention[b] { list.append(("input_blocks.\(i).1.", "down_blocks.\(b).attentions.\(l).", false)) }
            }
            if b < levels - 1 {
                list.append(("input_blocks.\((b + 1) * perLevel).0.op.", "down_blocks.\(b).downsamplers.0.conv.", false))
            }
        }
        list += [("middle_block.0.", "mid_block.resnets.0.", true), ("middle_block.1.", "mid_block.attentions.0.", false),
                 ("middle_block.2.", "mid_block.resnets.1.", true)]
        for up in 0..<levels {
            let level = levels - 1 - up
            for l in 0..<perLevel {
                let i = up * perLevel + l
                list.append(("output_blocks.\(i).0.", "up_blocks.\(up).resnets.\(l).", true))
                if attention[level] { list.append(("output_blocks.\(i).1.", "up_blocks.\(up).attentions.\(l).", false)) }
                if level > 0 && l == c.numResBlocks {
                    list.append(("output_blocks.\(i).\(attention[level] ? 2 : 1).conv.", "up_blocks.\(up).upsamplers.0.conv.", false))
                }
            }
        }
        list += [("out.0.", "conv_norm_out.", false), ("out.2.", "conv_out.", false)]
        return list
    }

    /// ldm keys under `ldmPrefix` (e.g. "model.diffusion_model.") -> diffusers keys (no prefix).
    public static func ldmToDiffusers(_ c: UNetConfiguration, ldmPrefix: String) -> [KeyTransform] {
        let table = modulePrefixes(c)
        return [KeyTransform { key, shape in
            guard key.hasPrefix(ldmPrefix) else { return nil }
            let local = String(key.dropFirst(ldmPrefix.count))
            guard let entry = table.first(where: { local.hasPrefix($0.ldm) }) else { return nil }
            var rest = String(local.dropFirst(entry.ldm.count))
            if entry.resnet, let inner = resnetInner.first(where: { rest.hasPrefix($0.0) }) {
                rest = inner.1 + rest.dropFirst(inner.0.count)
            }
            return [KeyTransform.Entry(key: entry.diffusers + rest, shape: shape) { $0 }]
        }]
    }

    /// diffusers keys (no prefix) -> ldm keys under `ldmPrefix`.
    public static func diffusersToLDM(_ c: UNetConfiguration, ldmPrefix: String) -> [KeyTransform] {
        let table = modulePrefixes(c)
        return [KeyTransform { key, shape in
            guard let entry = table.first(where: { key.hasPrefix($0.diffusers) }) else { return nil }
            var rest = String(key.dropFirst(entry.diffusers.count))
            if entry.resnet, let inner = resnetInner.first(where: { rest.hasPrefix($0.1) }) {
                rest = inner.0 + rest.dropFirst(inner.1.count)
            }
            return [KeyTransform.Entry(key: ldmPrefix + entry.ldm + rest, shape: shape) { $0 }]
        }]
    }
}
