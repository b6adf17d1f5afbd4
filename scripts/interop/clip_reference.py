#!/usr/bin/env python3
"""PyTorch references for the Swift CLIP encoders (Tests/DiffusionTests/CLIPReferenceTests.swift).

Usage: clip_reference.py DIR

Builds transformers `CLIPVisionModelWithProjection` and `CLIPTextModel` (hidden_act quick_gelu,
reduced size with heads = width / 64 as openai/CLIP's build_model assumes) in float64 with
perturbed random weights rounded to float32 values, and writes into DIR:

  vision_hf.safetensors    CLIPVisionModelWithProjection.state_dict() (vision_model.*, visual_projection.weight)
  text_hf.safetensors      CLIPTextModel.state_dict() (transformers 5 names: embeddings.*, encoder.*, final_layer_norm.*)
  ldm.safetensors          a zero123 / CustomNet style file: the OpenAI layout under cond_stage_model.model.
                           (visual.* with fused attn.in_proj_*, proj = visual_projection.weight^T; the text
                           tower as token_embedding, positional_embedding, transformer.resblocks.*, ln_final,
                           text_projection, logit_scale), the transformers text tower under
                           text_encoder.transformer.text_model.*, and unrelated keys (cc_projection, UNet)
  pixels.npy, image_embeds.npy              CLIP-normalised pixels and the float64 image_embeds
  image.npy, image_embeds_from_image.npy    a [-1, 1] image and its embedding through zero123's preprocess
  ids77.npy, hidden77.npy, ids12.npy, hidden12.npy   token ids (as float64) and float64 last_hidden_state
  resize_*_in.npy, resize_*_f32.npy, resize_*_f64.npy   F.interpolate(bicubic, align_corners=True) inputs and
                           outputs in float32 and float64 (kornia.geometry.resize with antialias=False calls it)
                           for random images (down: 256 -> 224, up: 37x53 -> 224) and real PNGs (teapots, logo)
  preprocess_teapots_f32.npy   zero123's preprocess of a real PNG (decoded with Pillow) in float32
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from safetensors.torch import save_file
from transformers import CLIPTextConfig, CLIPTextModel, CLIPVisionConfig, CLIPVisionModelWithProjection

MEAN = (0.48145466, 0.4578275, 0.40821073)
STD = (0.26862954, 0.26130258, 0.27577711)
PNGS = {  # real images: a 640x480 render (downscaled) and a 211x211 logo with hard edges (upscaled)
    "teapots": "/usr/share/assimp/models/Collada/teapots_reference.png",
    "logo": "/usr/share/assimp/models/glTF/BoxTextured-glTF/CesiumLogoFlat.png",
}

BLOCK_RENAMES = [("self_attn.out_proj.", "attn.out_proj."), ("layer_norm1.", "ln_1."), ("layer_norm2.", "ln_2."),
                 ("mlp.fc1.", "mlp.c_fc."), ("mlp.fc2.", "mlp.c_proj.")]


def perturb(model, generator):
    """Random perturbation of every parameter (norm weights away from 1, biases away from 0), rounded to float32."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            scale = 0.2 if p.dim() == 1 else 0.02
            p.add_(torch.randn(p.shape, generator=generator, dtype=p.dtype) * scale)
            p.copy_(p.float().double())


def blocks_to_openai(sd, hf_stem, openai_stem, layers):
    """transformers encoder layers -> OpenAI resblocks: q/k/v fused into in_proj, other names renamed."""
    out = {}
    for i in range(layers):
        src, dst = f"{hf_stem}{i}.", f"{openai_stem}{i}."
        for kind in ("weight", "bias"):
            out[dst + f"attn.in_proj_{kind}"] = torch.cat([sd[src + f"self_attn.{p}_proj.{kind}"] for p in "qkv"], 0)
        for key, value in sd.items():
            if not key.startswith(src) or ".self_attn.q_proj." in key or ".self_attn.k_proj." in key or ".self_attn.v_proj." in key:
                continue
            rest = key[len(src):]
            for a, b in BLOCK_RENAMES:
                if rest.startswith(a):
                    rest = b + rest[len(a):]
                    break
            else:
                raise SystemExit(f"unmapped key {key}")
            out[dst + rest] = value
    return out


def vision_to_openai(sd, layers):
    out = {
        "conv1.weight": sd["vision_model.embeddings.patch_embedding.weight"],
        "class_embedding": sd["vision_model.embeddings.class_embedding"],
        "positional_embedding": sd["vision_model.embeddings.position_embedding.weight"],
        "proj": sd["visual_projection.weight"].t(),
    }
    for hf, oa in (("pre_layrnorm", "ln_pre"), ("post_layernorm", "ln_post")):
        for kind in ("weight", "bias"):
            out[f"{oa}.{kind}"] = sd[f"vision_model.{hf}.{kind}"]
    out.update(blocks_to_openai(sd, "vision_model.encoder.layers.", "transformer.resblocks.", layers))
    return out


def text_to_openai(sd, layers, generator):
    width = sd["embeddings.token_embedding.weight"].shape[1]
    out = {
        "token_embedding.weight": sd["embeddings.token_embedding.weight"],
        "positional_embedding": sd["embeddings.position_embedding.weight"],
        "ln_final.weight": sd["final_layer_norm.weight"],
        "ln_final.bias": sd["final_layer_norm.bias"],
        "text_projection": torch.randn(width, 96, generator=generator, dtype=torch.float64),
        "logit_scale": torch.tensor(4.6052, dtype=torch.float64),
    }
    out.update(blocks_to_openai(sd, "encoder.layers.", "transformer.resblocks.", layers))
    return out


def f32(tensors):
    return {k: v.detach().to(torch.float32).contiguous() for k, v in tensors.items()}


def save(folder, name, array):
    np.save(os.path.join(folder, name + ".npy"), np.ascontiguousarray(array))


def interpolate_pair(x32, size):
    """F.interpolate bicubic align_corners=True in float32 and in float64 of the same float32 input."""
    a = F.interpolate(x32, size=size, mode="bicubic", align_corners=True)
    b = F.interpolate(x32.double(), size=size, mode="bicubic", align_corners=True)
    return a.numpy(), b.numpy()


def zero123_preprocess(x, size=224):
    """FrozenCLIPImageEmbedder.preprocess: kornia resize (antialias=False -> F.interpolate), (x+1)/2, normalize."""
    x = F.interpolate(x, size=(size, size), mode="bicubic", align_corners=True)
    x = (x + 1.0) / 2.0
    mean = torch.tensor(MEAN, dtype=x.dtype).view(1, 3, 1, 1)
    std = torch.tensor(STD, dtype=x.dtype).view(1, 3, 1, 1)
    return (x - mean) / std


def build_vision(width, layers, patch, image, embed, generator):
    config = CLIPVisionConfig(hidden_size=width, intermediate_size=4 * width, num_hidden_layers=layers,
                              num_attention_heads=width // 64, patch_size=patch, image_size=image, projection_dim=embed,
                              hidden_act="quick_gelu", layer_norm_eps=1e-5, attn_implementation="eager")
    model = CLIPVisionModelWithProjection(config).double().eval()
    perturb(model, generator)
    return model


def build_text(vocab, width, layers, generator):
    config = CLIPTextConfig(vocab_size=vocab, hidden_size=width, intermediate_size=4 * width, num_hidden_layers=layers,
                            num_attention_heads=width // 64, max_position_embeddings=77, hidden_act="quick_gelu",
                            layer_norm_eps=1e-5, attn_implementation="eager")
    model = CLIPTextModel(config).double().eval()
    perturb(model, generator)
    return model


def main(folder):
    os.makedirs(folder, exist_ok=True)
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1234)

    vision = build_vision(width=128, layers=2, patch=14, image=56, embed=96, generator=g)
    text = build_text(vocab=1000, width=128, layers=2, generator=g)
    vsd, tsd = vision.state_dict(), text.state_dict()
    save_file(f32(vsd), os.path.join(folder, "vision_hf.safetensors"))
    save_file(f32(tsd), os.path.join(folder, "text_hf.safetensors"))

    ldm = {"cond_stage_model.model.visual." + k: v for k, v in vision_to_openai(vsd, 2).items()}
    ldm.update({"cond_stage_model.model." + k: v for k, v in text_to_openai(tsd, 2, g).items()})
    ldm.update({"text_encoder.transformer.text_model." + k: v for k, v in tsd.items()})
    ldm["cc_projection.weight"] = torch.randn(768, 772, generator=g, dtype=torch.float64)
    ldm["model.diffusion_model.input_blocks.0.0.weight"] = torch.randn(320, 8, 3, 3, generator=g, dtype=torch.float64)
    save_file(f32(ldm), os.path.join(folder, "ldm.safetensors"))

    with torch.no_grad():
        pixels = torch.randn(2, 3, 56, 56, generator=g).float()
        save(folder, "pixels", pixels.numpy())
        save(folder, "image_embeds", vision(pixel_values=pixels.double()).image_embeds.numpy())

        image = (torch.rand(1, 3, 80, 70, generator=g) * 2 - 1).float()
        save(folder, "image", image.numpy())
        save(folder, "image_embeds_from_image",
             vision(pixel_values=zero123_preprocess(image.double(), size=56)).image_embeds.numpy())

        for length in (77, 12):
            ids = torch.randint(0, 1000, (2, length), generator=g)
            save(folder, f"ids{length}", ids.double().numpy())
            save(folder, f"hidden{length}", text(input_ids=ids).last_hidden_state.numpy())

        cases = {
            "down": ((torch.rand(2, 3, 256, 256, generator=g) * 2 - 1).float(), (224, 224)),
            "up": ((torch.rand(1, 3, 37, 53, generator=g) * 2 - 1).float(), (224, 224)),
        }
        for name, path in PNGS.items():
            rgb = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32) / 127.5 - 1.0
            cases[name] = (torch.from_numpy(rgb).permute(2, 0, 1).unsqueeze(0).contiguous(), (224, 224))
        for name, (x, size) in cases.items():
            a, b = interpolate_pair(x, size)
            save(folder, f"resize_{name}_in", x.numpy())
            save(folder, f"resize_{name}_f32", a)
            save(folder, f"resize_{name}_f64", b)
        save(folder, "preprocess_teapots_f32", zero123_preprocess(cases["teapots"][0]).numpy())
    print(f"wrote CLIP references to {folder}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
