#!/usr/bin/env python3
"""A whole zero123 / CustomNet view, sampled in PyTorch (float64) the way ldm does it, for `cn-model sample`.

Builds every part at reduced width with random perturbed weights (diffusers UNet2DConditionModel,
diffusers AutoencoderKL, transformers CLIPVisionModelWithProjection, cc_projection, and for CustomNet
a transformers CLIPTextModel), writes them as ONE ldm-layout checkpoint (torch.save of
{"state_dict": ...}, the layout zero123 releases) and the ldm YAML, and samples a view following
zero123's gradio_new.py + ldm's DDIMSampler (uniform spacing, the [:-1] slice, eta, classifier-free
guidance batched [uncond; cond], uncond = zeros after cc_projection and a zero concat latent;
CustomNet adds [image token; text tokens] and the empty prompt) from a given x_T. Writes to OUT:
model.ckpt, model.yaml, ref.png, noise.npy (x_T), latent.npy (the final latent, float64), image.npy
(the decoded view in [-1, 1], float64).

Usage: zero123_pipeline_reference.py OUT [--variant zero123|customnet] [--steps 6] [--guidance 3.0]
       [--polar 20] [--azimuth 45] [--radius 0.1] [--prompt TEXT --vocab bpe_simple_vocab_16e6.txt.gz] [--box X0,Y0,X1,Y1]
(CustomNet: the prompt is tokenised with open_clip's SimpleTokenizer, padded with <|endoftext|> as transformers'
CLIPTokenizer pads for ldm's FrozenCLIPEmbedder; --box builds the concat image as CustomNet's loader does,
through customnet_concat.py.)
"""
import argparse
import math
import os
import sys

import numpy as np
import torch
import yaml
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clip_reference  # noqa: E402
import customnet_concat  # noqa: E402
import ddim_reference  # noqa: E402
import unet_reference  # noqa: E402
import vae_reference  # noqa: E402

WIDTH, CONTEXT, SIZE = 32, 64, 64          # UNet width, CLIP embedding = context = text width, image side
VAE_CHANNELS = [32, 64, 64, 64]
CLIP_WIDTH, CLIP_LAYERS, CLIP_PATCH, CLIP_IMAGE = 128, 2, 14, 56


def reference_png(path):
    """A real texture from assimp-testmodels at SIZE x SIZE, RGB."""
    source = "/usr/share/assimp/models/glTF/BoxTextured-glTF/CesiumLogoFlat.png"
    image = Image.open(source).convert("RGB").resize((SIZE, SIZE), Image.BICUBIC)
    image.save(path)
    return torch.tensor(np.asarray(image), dtype=torch.float64).permute(2, 0, 1)[None] / 255 * 2 - 1


def token_ids(vocab, text):
    """ids as transformers' CLIPTokenizer(padding="max_length", max_length=77, truncation=True) gives them."""
    import importlib.util
    spec = importlib.util.find_spec("open_clip")
    path = os.path.join(spec.submodule_search_locations[0], "tokenizer.py")
    module_spec = importlib.util.spec_from_file_location("open_clip_tokenizer", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    tokenizer = module.SimpleTokenizer(vocab)
    ids = [49406] + tokenizer.encode(text)[:75] + [49407]
    return ids + [49407] * (77 - len(ids))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--variant", default="zero123", choices=["zero123", "customnet"])
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--guidance", type=float, default=3.0)
    ap.add_argument("--polar", type=float, default=20.0)
    ap.add_argument("--azimuth", type=float, default=45.0)
    ap.add_argument("--radius", type=float, default=0.1)
    ap.add_argument("--prompt", default="")
    ap.add_argument("--vocab", help="bpe_simple_vocab_16e6.txt.gz (CustomNet)")
    ap.add_argument("--box", help="x0,y0,x1,y1 on the canvas (CustomNet)")
    ap.add_argument("--size", type=int, default=64, help="image side (CustomNet's --box needs 256)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    global SIZE
    SIZE = args.size
    os.makedirs(args.out, exist_ok=True)
    g = torch.Generator().manual_seed(args.seed)

    unet, state, _ = unet_reference.build(args.variant, WIDTH, SIZE // 8, CONTEXT, args.seed)
    vae = vae_reference.build(VAE_CHANNELS, args.seed + 1)
    state.update(vae_reference.ldm_state_dict(vae, len(VAE_CHANNELS)))
    vision = clip_reference.build_vision(CLIP_WIDTH, CLIP_LAYERS, CLIP_PATCH, CLIP_IMAGE, CONTEXT, g)
    for key, value in clip_reference.vision_to_openai(vision.state_dict(), CLIP_LAYERS).items():
        state["cond_stage_model.model.visual." + key] = value.float().contiguous()
    cc = torch.nn.Linear(CONTEXT + 4, CONTEXT).double()
    with torch.no_grad():
        cc.weight.add_(torch.randn(cc.weight.shape, generator=g, dtype=torch.float64) * 0.05)
        cc.weight.copy_(cc.weight.float().double())
        cc.bias.copy_(cc.bias.float().double())
    state["cc_projection.weight"] = cc.weight.float().contiguous()
    state["cc_projection.bias"] = cc.bias.float().contiguous()
    text = None
    if args.variant == "customnet":
        text = clip_reference.build_text(49408, CONTEXT, 2, g)
        for key, value in text.state_dict().items():
            state["text_encoder.transformer.text_model." + key] = value.float().contiguous()
    torch.save({"state_dict": state, "global_step": 1}, os.path.join(args.out, "model.ckpt"))
    unet_params = {"image_size": SIZE // 8, "in_channels": 8, "out_channels": 4, "model_channels": WIDTH,
                   "attention_resolutions": [4, 2, 1], "num_res_blocks": 2, "channel_mult": [1, 2, 2, 2],
                   "num_heads": 8, "use_spatial_transformer": True, "transformer_depth": 1, "context_dim": CONTEXT,
                   "use_checkpoint": True, "legacy": False}
    first_stage = vae_reference.ldm_config(VAE_CHANNELS)
    first_stage["ddconfig"]["resolution"] = SIZE
    config = {"model": {"target": "ldm.models.diffusion.ddpm.LatentDiffusion", "params": {
        "linear_start": 0.00085, "linear_end": 0.012, "timesteps": 1000, "scale_factor": 0.18215,
        "conditioning_key": "hybrid", "image_size": SIZE // 8, "channels": 4,
        "unet_config": {"target": "ldm.modules.diffusionmodules.openaimodel.UNetModel", "params": unet_params},
        "first_stage_config": {"target": "ldm.models.autoencoder.AutoencoderKL", "params": first_stage},
        "cond_stage_config": {"target": "ldm.modules.encoders.modules.FrozenCLIPImageEmbedder"}}}}
    with open(os.path.join(args.out, "model.yaml"), "w") as f:
        yaml.safe_dump(config, f)

    x_ref = reference_png(os.path.join(args.out, "ref.png"))
    with torch.no_grad():
        pixels = clip_reference.zero123_preprocess(x_ref, CLIP_IMAGE)
        embedding = vision(pixel_values=pixels).image_embeds[:, None]
        p, a = math.radians(args.polar), math.radians(args.azimuth)
        pose = torch.tensor([[[p, math.sin(a), math.cos(a), args.radius]]], dtype=torch.float64)
        token = cc(torch.cat([embedding, pose.float().double()], -1))
        uncond_token = torch.zeros_like(token)
        if text is not None:
            ids = torch.tensor([token_ids(args.vocab, args.prompt), token_ids(args.vocab, "")], dtype=torch.long)
            hidden = text(input_ids=ids).last_hidden_state
            token = torch.cat([token, hidden[:1]], 1)
            uncond_token = torch.cat([uncond_token, hidden[1:]], 1)
        concat_image = x_ref
        if args.box:
            x0, y0, x1, y1 = (int(v) for v in args.box.split(","))
            rgb = Image.open(os.path.join(args.out, "ref.png")).convert("RGB")
            pasted = customnet_concat.concat(rgb, [x0, y0, x1 - x0, y1 - y0], (SIZE, SIZE))
            concat_image = torch.tensor(np.asarray(pasted), dtype=torch.float64).permute(2, 0, 1)[None] / 255 * 2 - 1
        c_concat = vae.encode(concat_image).latent_dist.mean
        x = torch.randn(1, 4, SIZE // 8, SIZE // 8, generator=g, dtype=torch.float64).float().double()
        np.save(os.path.join(args.out, "noise.npy"), x.numpy().astype(np.float32))
        alphas_cumprod = np.cumprod(1 - ddim_reference.make_beta_schedule()).astype(np.float32)
        grid = ddim_reference.make_ddim_timesteps(args.steps)
        alphas, alphas_prev, sigmas, as_f32 = ddim_reference.ldm_parameters(alphas_cumprod, grid, 0.0)
        timesteps = grid[:-1]
        total = timesteps.shape[0]
        for i, step in enumerate(np.flip(timesteps)):
            index = total - i - 1
            a_t, a_prev = as_f32(alphas, index), as_f32(alphas_prev, index)
            x_in = torch.cat([torch.cat([x, torch.zeros_like(c_concat)], 1), torch.cat([x, c_concat], 1)])
            t_in = torch.full((2,), float(step), dtype=torch.float64)
            e_u, e_c = unet(x_in, t_in, encoder_hidden_states=torch.cat([uncond_token, token])).sample.chunk(2)
            e_t = e_u + args.guidance * (e_c - e_u)
            pred_x0 = (x - (1 - a_t) ** 0.5 * e_t) / a_t ** 0.5
            x = a_prev ** 0.5 * pred_x0 + (1 - a_prev) ** 0.5 * e_t
        image = vae.decode(x / 0.18215).sample
    np.save(os.path.join(args.out, "latent.npy"), x.numpy())
    np.save(os.path.join(args.out, "image.npy"), image.numpy())
    print(f"{total} updates; latent |max| {float(x.abs().max()):.3f}")


if __name__ == "__main__":
    main()
