#!/usr/bin/env python3
"""References for the Swift evaluator (Tests/EvaluationTests).

Usage: eval_reference.py pixels DIR     PSNR / SSIM with scikit-image
       eval_reference.py networks DIR   LPIPS, CLIP and DINO with PyTorch

pixels: writes >= 50 image pairs of varied content and size (noise, smooth gradients, real PNG
textures of Debian's assimp-testmodels, shifted / blurred / noisy versions, odd sizes down to 7x7,
gray and RGB) as pair{i}_a.npy / pair{i}_b.npy (uint8 values stored as float64, (H, W) or (H, W, 3)) and pixels.json with,
per pair, skimage.metrics.peak_signal_noise_ratio, structural_similarity with its defaults
(channel_axis=-1 for RGB) and the Gaussian variant (gaussian_weights=True, sigma=1.5,
use_sample_covariance=False; null when a side is under 11 px, where scikit-image raises).

networks: random-weight PyTorch references in float64 (weights rounded to float32 values):
  alexnet.pth          torchvision AlexNet keys features.{0,3,6,8,10}.* (+ a classifier key), torch.save zip;
                       the trunk is plain torch.nn with torchvision's module indices (torchvision has no
                       CPU wheel here); heads: lpips' own weights/v0.1/alex.pth (legacy torch.save format)
  lpips_a/b.npy, lpips.npy   [N, 3, H, W] images in [-1, 1] and lpips v0.1 distances (lpips.py LPIPS.forward)
  clip_hf.safetensors  transformers CLIPModel state dict (quick_gelu, reduced size)
  clip_customnet.safetensors   the same CLIP as CustomNet stores it: cond_stage_model.model.visual.* (OpenAI
                       names) + cond_stage_model.model.text_projection + text_encoder.transformer.text_model.*
  clip_pixels.npy, clip_image.npy   normalised pixels and CLIPModel.get_image_features(...).pooler_output
  clip_ids.npy, clip_text.npy       token rows (float64) and get_text_features(...).pooler_output
  dino.pth             DINO ViT-S/16 (facebookresearch/dino vision_transformer.py vit_small, patch 16) state
                       dict in the legacy torch.save format; dino_pixels.npy, dino.npy: input and norm(x)[:, 0]
  preprocess_*.npy     Pillow Resize(shorter side, BICUBIC) + torchvision CenterCrop of real PNGs (uint8)
"""
import glob
import json
import math
import os
import sys

import numpy as np

TEXTURES = sorted(glob.glob("/usr/share/assimp/models/**/*.png", recursive=True))


def load_texture(path, gray):
    from PIL import Image
    im = Image.open(path)
    im = im.convert("L" if gray else "RGB")
    return np.asarray(im)


def pixel_pairs():
    rng = np.random.default_rng(12)
    pairs = []
    sizes = [(7, 7), (7, 9), (8, 7), (10, 13), (11, 11), (12, 17), (16, 16), (23, 31), (33, 29), (64, 48), (97, 101), (128, 128), (256, 256)]
    for k, (h, w) in enumerate(sizes):
        for gray in (False, True):
            shape = (h, w) if gray else (h, w, 3)
            # noise vs noise
            a = rng.integers(0, 256, shape, dtype=np.uint8)
            b = np.clip(a.astype(np.int32) + rng.integers(-40, 41, shape), 0, 255).astype(np.uint8)
            pairs.append((f"noise{h}x{w}{'g' if gray else 'c'}", a, b))
            # smooth gradients vs a shifted gradient
            y, x = np.mgrid[0:h, 0:w]
            g = (x / max(w - 1, 1) * 200 + y / max(h - 1, 1) * 55)
            a = np.stack([g, 255 - g, (g * 0.5 + 60)], -1) if not gray else g
            b = a * 0.9 + 12 + rng.normal(0, 3, a.shape)
            pairs.append((f"gradient{h}x{w}{'g' if gray else 'c'}", np.clip(a, 0, 255).astype(np.uint8), np.clip(b, 0, 255).astype(np.uint8)))
    # real textures, crops of odd sizes, against blurred / shifted / noisy versions
    from PIL import Image, ImageFilter
    for i, path in enumerate(TEXTURES[:14]):
        gray = i % 3 == 0
        t = load_texture(path, gray)
        h = min(t.shape[0], [7, 15, 40, 64, 77, 128, 200][i % 7])
        w = min(t.shape[1], [9, 21, 33, 64, 80, 128, 256][(i + 2) % 7])
        if h < 7 or w < 7:
            continue
        top, left = (t.shape[0] - h) // 2, (t.shape[1] - w) // 2
        a = np.ascontiguousarray(t[top:top + h, left:left + w])
        im = Image.fromarray(a)
        kind = i % 3
        if kind == 0:
            b = np.asarray(im.filter(ImageFilter.GaussianBlur(1.2)))
        elif kind == 1:
            b = np.roll(a, (1, 2), axis=(0, 1))
        else:
            b = np.clip(a.astype(np.int32) + rng.integers(-20, 21, a.shape), 0, 255).astype(np.uint8)
        if np.array_equal(a, b):  # a flat crop: make the pair differ
            b = np.clip(a.astype(np.int32) + rng.integers(-8, 9, a.shape), 0, 255).astype(np.uint8)
        pairs.append((f"texture{i}_{os.path.basename(path)}_{h}x{w}{'g' if gray else 'c'}", a, np.ascontiguousarray(b)))
    # extremes: constant images, an inverted image
    c = np.full((20, 20, 3), 128, np.uint8)
    pairs.append(("constant_vs_constant", c, np.full((20, 20, 3), 130, np.uint8)))
    pairs.append(("constant_vs_noise", c, rng.integers(0, 256, (20, 20, 3), dtype=np.uint8)))
    t = load_texture(TEXTURES[0], False)[:50, :60]
    pairs.append(("inverted", np.ascontiguousarray(t), np.ascontiguousarray(255 - t)))
    pairs.append(("identical", np.ascontiguousarray(t), np.ascontiguousarray(t)))  # PSNR +inf, SSIM 1
    return pairs


def pixels(folder):
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity
    results = []
    for i, (name, a, b) in enumerate(pixel_pairs()):
        np.save(os.path.join(folder, f"pair{i}_a.npy"), a.astype(np.float64))
        np.save(os.path.join(folder, f"pair{i}_b.npy"), b.astype(np.float64))
        channel = -1 if a.ndim == 3 else None
        ssim = structural_similarity(a, b, channel_axis=channel)
        gauss = None
        if min(a.shape[:2]) >= 11:
            gauss = structural_similarity(a, b, channel_axis=channel, gaussian_weights=True, sigma=1.5, use_sample_covariance=False)
        with np.errstate(divide="ignore"):
            psnr = float(peak_signal_noise_ratio(a, b))
        results.append({"name": name, "psnr": psnr if math.isfinite(psnr) else "inf", "ssim": float(ssim),
                        "ssim_gaussian": None if gauss is None else float(gauss), "shape": list(a.shape)})
    with open(os.path.join(folder, "pixels.json"), "w") as f:
        json.dump(results, f)
    print(f"{len(results)} pairs")


# ---------------------------------------------------------------------------------------------
def perturb(model, generator, scale2=0.02, scale1=0.2):
    import torch
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.add_(torch.randn(p.shape, generator=generator, dtype=p.dtype) * (scale1 if p.dim() == 1 else scale2))
            p.copy_(p.float().double())


def alexnet_features():
    """torchvision models/alexnet.py AlexNet.features, module indices kept."""
    import torch.nn as nn
    return nn.Sequential(
        nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(kernel_size=3, stride=2))


def lpips_reference(features, lins, in0, in1):
    """lpips/lpips.py LPIPS.forward (v0.1, lpips=True, spatial=False) over pretrained_networks.alexnet slices."""
    import torch
    shift = torch.tensor([-.030, -.088, -.188], dtype=in0.dtype)[None, :, None, None]
    scale = torch.tensor([.458, .448, .450], dtype=in0.dtype)[None, :, None, None]

    def outs(x):
        x = (x - shift) / scale
        res = []
        for lo, hi in ((0, 2), (2, 5), (5, 8), (8, 10), (10, 12)):
            for k in range(lo, hi):
                x = features[k](x)
            res.append(x)
        return res

    def norm(t, eps=1e-10):
        return t / (torch.sqrt(torch.sum(t ** 2, dim=1, keepdim=True)) + eps)

    o0, o1 = outs(in0), outs(in1)
    val = 0
    for kk in range(5):
        d = (norm(o0[kk]) - norm(o1[kk])) ** 2
        val = val + torch.nn.functional.conv2d(d, lins[kk]).mean([2, 3], keepdim=True)
    return val.flatten()


def dino_vit_small():
    """facebookresearch/dino vision_transformer.py: VisionTransformer(patch_size=16, embed_dim=384, depth=12,
    num_heads=6, mlp_ratio=4, qkv_bias=True, norm_layer=partial(nn.LayerNorm, eps=1e-6))."""
    import torch
    import torch.nn as nn

    class Attention(nn.Module):
        def __init__(self, dim, num_heads):
            super().__init__()
            self.num_heads = num_heads
            self.scale = (dim // num_heads) ** -0.5
            self.qkv = nn.Linear(dim, dim * 3, bias=True)
            self.proj = nn.Linear(dim, dim)

        def forward(self, x):
            B, N, C = x.shape
            qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads).permute(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]
            attn = (q @ k.transpose(-2, -1)) * self.scale
            attn = attn.softmax(dim=-1)
            x = (attn @ v).transpose(1, 2).reshape(B, N, C)
            return self.proj(x)

    class Mlp(nn.Module):
        def __init__(self, dim, hidden):
            super().__init__()
            self.fc1 = nn.Linear(dim, hidden)
            self.act = nn.GELU()
            self.fc2 = nn.Linear(hidden, dim)

        def forward(self, x):
            return self.fc2(self.act(self.fc1(x)))

    class Block(nn.Module):
        def __init__(self, dim, heads):
            super().__init__()
            self.norm1 = nn.LayerNorm(dim, eps=1e-6)
            self.attn = Attention(dim, heads)
            self.norm2 = nn.LayerNorm(dim, eps=1e-6)
            self.mlp = Mlp(dim, 4 * dim)

        def forward(self, x):
            x = x + self.attn(self.norm1(x))
            return x + self.mlp(self.norm2(x))

    class PatchEmbed(nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = nn.Conv2d(3, 384, kernel_size=16, stride=16)

        def forward(self, x):
            return self.proj(x).flatten(2).transpose(1, 2)

    class VisionTransformer(nn.Module):
        def __init__(self):
            super().__init__()
            self.patch_embed = PatchEmbed()
            self.cls_token = nn.Parameter(torch.zeros(1, 1, 384))
            self.pos_embed = nn.Parameter(torch.zeros(1, 197, 384))
            self.blocks = nn.ModuleList([Block(384, 6) for _ in range(12)])
            self.norm = nn.LayerNorm(384, eps=1e-6)
            self.head = nn.Identity()
            nn.init.trunc_normal_(self.pos_embed, std=.02)
            nn.init.trunc_normal_(self.cls_token, std=.02)

        def forward(self, x):
            B = x.shape[0]
            x = self.patch_embed(x)
            x = torch.cat((self.cls_token.expand(B, -1, -1), x), dim=1) + self.pos_embed
            for blk in self.blocks:
                x = blk(x)
            x = self.norm(x)
            return x[:, 0]

    return VisionTransformer()


def networks(folder):
    import torch
    from safetensors.torch import save_file
    from transformers import CLIPConfig, CLIPModel
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from clip_reference import blocks_to_openai, vision_to_openai

    torch.manual_seed(0)
    g = torch.Generator().manual_seed(7)
    save = lambda name, a: np.save(os.path.join(folder, name + ".npy"), np.ascontiguousarray(a))

    # LPIPS: random AlexNet trunk, lpips' real v0.1 heads (legacy torch.save file).
    features = alexnet_features().double().eval()
    perturb(features, g, scale2=0.0, scale1=0.05)
    sd = {f"features.{k}": v.float() for k, v in features.state_dict().items()}
    sd["classifier.1.weight"] = torch.randn(10, 9216 // 1024)
    torch.save(sd, os.path.join(folder, "alexnet.pth"))
    import importlib.util
    spec = importlib.util.find_spec("lpips")
    heads_path = os.path.join(os.path.dirname(spec.origin), "weights", "v0.1", "alex.pth")
    heads = torch.load(heads_path, map_location="cpu")
    lins = [heads[f"lin{k}.model.1.weight"].double() for k in range(5)]
    with open(os.path.join(folder, "lpips_heads_path.txt"), "w") as f:
        f.write(heads_path)
    a = torch.rand(3, 3, 64, 64, generator=g, dtype=torch.float64) * 2 - 1
    b = (a + 0.3 * torch.randn(a.shape, generator=g, dtype=torch.float64)).clamp(-1, 1)
    a, b = a.float().double(), b.float().double()
    with torch.no_grad():
        d = lpips_reference(features, lins, a, b)
    save("lpips_a", a.numpy()); save("lpips_b", b.numpy()); save("lpips", d.numpy())
    big_a = torch.rand(1, 3, 256, 256, generator=g, dtype=torch.float64).float().double() * 2 - 1
    big_b = torch.flip(big_a, [3])
    with torch.no_grad():
        save("lpips256", lpips_reference(features, lins, big_a, big_b).numpy())
    save("lpips256_a", big_a.numpy()); save("lpips256_b", big_b.numpy())

    # CLIP: transformers CLIPModel, reduced size, quick_gelu, EOT id 999 (argmax of each row).
    config = CLIPConfig(
        text_config=dict(vocab_size=1000, hidden_size=128, intermediate_size=512, num_hidden_layers=2, num_attention_heads=2,
                         max_position_embeddings=77, hidden_act="quick_gelu", layer_norm_eps=1e-5, eos_token_id=999,
                         bos_token_id=998, pad_token_id=999),
        vision_config=dict(hidden_size=128, intermediate_size=512, num_hidden_layers=2, num_attention_heads=2, patch_size=14,
                           image_size=56, hidden_act="quick_gelu", layer_norm_eps=1e-5),
        projection_dim=96)
    config._attn_implementation = "eager"
    model = CLIPModel(config).double().eval()
    perturb(model, g)
    sd = {k: v.float().contiguous() for k, v in model.state_dict().items() if not k.endswith("position_ids")}
    save_file(sd, os.path.join(folder, "clip_hf.safetensors"))
    full = {k: v for k, v in model.state_dict().items()}
    vision_sd = {k: v for k, v in full.items() if k.startswith("vision_model.") or k == "visual_projection.weight"}
    custom = {"cond_stage_model.model.visual." + k: v for k, v in vision_to_openai(vision_sd, 2).items()}
    custom["cond_stage_model.model.text_projection"] = full["text_projection.weight"].t()
    for k, v in full.items():
        if k.startswith("text_model.") and not k.endswith("position_ids"):
            custom["text_encoder.transformer." + k] = v
    custom["cc_projection.weight"] = torch.zeros(4, 4)
    save_file({k: v.float().contiguous() for k, v in custom.items()}, os.path.join(folder, "clip_customnet.safetensors"))
    pixels = torch.randn(2, 3, 56, 56, generator=g, dtype=torch.float64).float().double()
    ids = torch.full((3, 77), 999, dtype=torch.long)
    for r, n in enumerate((5, 20, 75)):
        ids[r, 0] = 998
        ids[r, 1:n + 1] = torch.randint(0, 998, (n,), generator=g)
    with torch.no_grad():
        image = model.get_image_features(pixel_values=pixels)
        text = model.get_text_features(input_ids=ids)
    image = image.pooler_output if hasattr(image, "pooler_output") else image
    text = text.pooler_output if hasattr(text, "pooler_output") else text
    save("clip_pixels", pixels.numpy()); save("clip_image", image.numpy())
    save("clip_ids", ids.double().numpy()); save("clip_text", text.numpy())

    # DINO ViT-S/16 in the legacy torch.save format (as old releases were written).
    vit = dino_vit_small().double().eval()
    perturb(vit, g, scale2=0.02, scale1=0.1)
    torch.save({k: v.float() for k, v in vit.state_dict().items()}, os.path.join(folder, "dino.pth"),
               _use_new_zipfile_serialization=False)
    x = torch.randn(2, 3, 224, 224, generator=g, dtype=torch.float64).float().double()
    with torch.no_grad():
        save("dino", vit(x).numpy())
    save("dino_pixels", x.numpy())

    # Preprocessing geometry: Pillow bicubic resize of the shorter side + torchvision centre crop.
    from PIL import Image
    for name, path, resize, crop in (("teapots_clip", "/usr/share/assimp/models/Collada/teapots_reference.png", 224, 224),
                                     ("logo_dino", "/usr/share/assimp/models/glTF/BoxTextured-glTF/CesiumLogoFlat.png", 256, 224)):
        rgba = Image.open(path).convert("RGBA")  # composited over white, as the evaluator reads images
        im = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba).convert("RGB")
        w, h = im.size
        short, long = min(w, h), max(w, h)
        new = (resize, int(resize * long / short)) if w <= h else (int(resize * long / short), resize)
        im = im.resize(new, Image.BICUBIC)
        top, left = int(round((im.size[1] - crop) / 2.0)), int(round((im.size[0] - crop) / 2.0))
        save("preprocess_" + name, np.asarray(im)[top:top + crop, left:left + crop].astype(np.float64))
    print("networks written")


if __name__ == "__main__":
    {"pixels": pixels, "networks": networks}[sys.argv[1]](sys.argv[2])
