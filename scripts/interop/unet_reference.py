"""Random-weight references for the Swift UNet (issue 9), built on diffusers' UNet2DConditionModel.

The SD-1.x topology of zero123 / CustomNet (ldm `openaimodel.UNetModel`) at a given width:
diffusers' defaults are that topology (block types, 2 layers per block, attention at levels 0-2);
`attention_head_dim=8` means 8 heads there. CustomNet's dual cross-attention has no diffusers
counterpart: every attn2 gets an attention processor implementing the formula of CustomNet
`customnet/attention.py` (shared query, softmax(q k_img) v_img + text_scale softmax(q k_txt) v_txt,
then to_out), with its own to_k_text / to_v_text weights.

Writes into OUT: weights.safetensors (float32, ldm names under model.diffusion_model.),
diffusers.safetensors (the same weights in diffusers names),
weights.ckpt (torch.save of {"state_dict": same}), x.npy, context.npy, t.npy, eps.npy (float64
reference computed from the float32-rounded weights).
Usage: unet_reference.py OUT [--variant zero123|customnet|inpaint] [--width 32] [--size 8] [--batch 2] [--seed 0]
"""
import argparse
import os
import re

import numpy as np
import torch
from diffusers import UNet2DConditionModel
from safetensors.torch import save_file


def ldm_name(key, has_attention):
    """The ldm `openaimodel.UNetModel` name of a diffusers UNet2DConditionModel key (model.md section 2)."""
    inner = [("norm1.", "in_layers.0."), ("conv1.", "in_layers.2."), ("time_emb_proj.", "emb_layers.1."),
             ("norm2.", "out_layers.0."), ("conv2.", "out_layers.3."), ("conv_shortcut.", "skip_connection.")]

    def resnet(rest):
        for a, b in inner:
            if rest.startswith(a):
                return b + rest[len(a):]
        raise ValueError(rest)

    m = re.match(r"time_embedding\.linear_(\d)\.(.*)", key)
    if m:
        return f"time_embed.{0 if m[1] == '1' else 2}.{m[2]}"
    if key.startswith("conv_in."):
        return "input_blocks.0.0." + key[len("conv_in."):]
    if key.startswith("conv_norm_out."):
        return "out.0." + key[len("conv_norm_out."):]
    if key.startswith("conv_out."):
        return "out.2." + key[len("conv_out."):]
    m = re.match(r"down_blocks\.(\d+)\.(resnets|attentions)\.(\d+)\.(.*)", key)
    if m:
        i = 3 * int(m[1]) + int(m[3]) + 1
        return f"input_blocks.{i}.0.{resnet(m[4])}" if m[2] == "resnets" else f"input_blocks.{i}.1.{m[4]}"
    m = re.match(r"down_blocks\.(\d+)\.downsamplers\.0\.conv\.(.*)", key)
    if m:
        return f"input_blocks.{3 * (int(m[1]) + 1)}.0.op.{m[2]}"
    m = re.match(r"mid_block\.(resnets|attentions)\.(\d)\.(.*)", key)
    if m:
        if m[1] == "attentions":
            return f"middle_block.1.{m[3]}"
        return f"middle_block.{0 if m[2] == '0' else 2}.{resnet(m[3])}"
    m = re.match(r"up_blocks\.(\d+)\.(resnets|attentions)\.(\d+)\.(.*)", key)
    if m:
        i = 3 * int(m[1]) + int(m[3])
        return f"output_blocks.{i}.0.{resnet(m[4])}" if m[2] == "resnets" else f"output_blocks.{i}.1.{m[4]}"
    m = re.match(r"up_blocks\.(\d+)\.upsamplers\.0\.conv\.(.*)", key)
    if m:
        b = int(m[1])
        return f"output_blocks.{3 * b + 2}.{2 if has_attention(b) else 1}.conv.{m[2]}"
    raise ValueError(key)


class DualCrossAttention:
    """CustomNet's attn2 (customnet/attention.py) as a diffusers attention processor."""

    def __init__(self, to_k_text, to_v_text, text_scale=1.0):
        self.to_k_text, self.to_v_text, self.text_scale = to_k_text, to_v_text, text_scale

    def __call__(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None, temb=None, **kwargs):
        q = attn.to_q(hidden_states)
        image, text = encoder_hidden_states[:, :1], encoder_hidden_states[:, 1:]
        heads = attn.heads

        def attend(k, v):
            b, n, c = q.shape
            d = c // heads
            qh = q.view(b, n, heads, d).transpose(1, 2)
            kh = k.view(b, -1, heads, d).transpose(1, 2)
            vh = v.view(b, -1, heads, d).transpose(1, 2)
            p = torch.softmax(qh @ kh.transpose(-1, -2) * d ** -0.5, dim=-1)
            return (p @ vh).transpose(1, 2).reshape(b, n, c)

        out = attend(attn.to_k(image), attn.to_v(image)) + self.text_scale * attend(self.to_k_text(text), self.to_v_text(text))
        return attn.to_out[1](attn.to_out[0](out))


def build(variant, width, size, context_dim, seed):
    """A float64 diffusers UNet of the SD-1.x topology at `width`, every weight perturbed and rounded
    to float32; for CustomNet variants every attn2 runs `DualCrossAttention`. Returns the model and
    its state dict in ldm names (float32, under model.diffusion_model.) and in diffusers names."""
    torch.manual_seed(seed)
    w = width
    in_channels = 12 if variant == "inpaint" else 8
    unet = UNet2DConditionModel(sample_size=size, in_channels=in_channels, out_channels=4,
                                block_out_channels=(w, 2 * w, 2 * w, 2 * w), cross_attention_dim=context_dim,
                                attention_head_dim=8, norm_num_groups=32).double().eval()
    extra = {}
    with torch.no_grad():
        for p in unet.parameters():
            p.add_(torch.randn_like(p) * 0.05)
        if variant != "zero123":
            procs = {}
            for name in unet.attn_processors:
                module_name = name[: -len(".processor")]
                attn = unet.get_submodule(module_name)
                if module_name.endswith("attn2"):
                    kt = torch.nn.Linear(context_dim, attn.to_k.out_features, bias=False).double()
                    vt = torch.nn.Linear(context_dim, attn.to_v.out_features, bias=False).double()
                    kt.weight.copy_(kt.weight.float().double())
                    vt.weight.copy_(vt.weight.float().double())
                    extra[module_name + ".to_k_text.weight"] = kt.weight
                    extra[module_name + ".to_v_text.weight"] = vt.weight
                    procs[name] = DualCrossAttention(kt, vt)
                else:
                    procs[name] = attn.processor
            unet.set_attn_processor(procs)
        for p in unet.parameters():
            p.copy_(p.float().double())
    has_attention = lambda up_block: (3 - up_block) in {0, 1, 2}
    items = list(unet.state_dict().items()) + list(extra.items())
    ldm = {"model.diffusion_model." + ldm_name(k, has_attention): v.detach().float().contiguous() for k, v in items}
    diffusers = {k: v.detach().float().contiguous() for k, v in items}
    return unet, ldm, diffusers


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--variant", default="zero123", choices=["zero123", "customnet", "inpaint"])
    ap.add_argument("--width", type=int, default=32)
    ap.add_argument("--size", type=int, default=8)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--context-dim", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--ema", action="store_true",
                    help="also store an EMA copy (model_ema.<key without dots>, as ldm's LitEma) and eps_ema.npy from it")
    args = ap.parse_args()
    unet, state, diffusers_state = build(args.variant, args.width, args.size, args.context_dim, args.seed)
    ema_unet = None
    if args.ema:
        ema_unet, ema_state, _ = build(args.variant, args.width, args.size, args.context_dim, args.seed + 100)
        for key, value in ema_state.items():
            state["model_ema." + key[len("model."):].replace(".", "")] = value
        state["model_ema.num_updates"] = torch.tensor(1000, dtype=torch.int64)
        state["model_ema.decay"] = torch.tensor(0.9999)
    in_channels = unet.config.in_channels
    dual = args.variant != "zero123"
    os.makedirs(args.out, exist_ok=True)
    save_file({k: v for k, v in state.items() if not k.startswith("model_ema.")}, os.path.join(args.out, "weights.safetensors"))
    save_file(diffusers_state, os.path.join(args.out, "diffusers.safetensors"))
    torch.save({"state_dict": state, "global_step": 7}, os.path.join(args.out, "weights.ckpt"))
    g = torch.Generator().manual_seed(args.seed + 1)
    x = torch.randn(args.batch, in_channels, args.size, args.size, generator=g, dtype=torch.float64).float().double()
    tokens = 78 if dual else 1
    context = torch.randn(args.batch, tokens, args.context_dim, generator=g, dtype=torch.float64).float().double()
    t = torch.tensor([961.0, 21.0][: args.batch] + [500.0] * max(0, args.batch - 2), dtype=torch.float64)
    with torch.no_grad():
        eps = unet(x, t, encoder_hidden_states=context).sample
        if ema_unet is not None:
            np.save(os.path.join(args.out, "eps_ema.npy"), ema_unet(x, t, encoder_hidden_states=context).sample.numpy())
    for name, value in [("x", x), ("context", context), ("t", t), ("eps", eps)]:
        np.save(os.path.join(args.out, name + ".npy"), value.numpy().astype(np.float32 if name != "eps" else np.float64))
    print(f"wrote {len(state)} tensors, eps |max| {float(eps.abs().max()):.4f}")


if __name__ == "__main__":
    main()
