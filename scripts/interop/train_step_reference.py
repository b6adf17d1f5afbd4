"""One cn-train step replayed in PyTorch (issue 11): the Swift test writes DIR with the model's
weights before the step (`weights.safetensors`: the UNet in diffusers names under `unet.`, plus
`cc_projection.*` and the learned image encoder `encoder.*`), the batch and every draw as .npy
(reference, target, pose, t, noise, keep_image, keep_concat), the optimiser settings
(`settings.json`; for mode "customnet" also `text_ids.npy`, the 77 token ids of each caption
after the empty-caption draw, every attn2 gets CustomNet's dual cross-attention and the text
stand-in `text.*` embeds the ids), and what Swift computed: `loss.npy`, `grads.safetensors` (before clipping)
and `after.safetensors` (weights after AdamW). This script rebuilds the same step with diffusers'
UNet2DConditionModel in float64 (zero123's objective: eps MSE, image embedding zeroed BEFORE
cc_projection where dropped, c_concat zeroed where dropped), clips with clip_grad_norm_, steps
torch.optim.AdamW with cc_projection at 10x, and prints a JSON report of relative errors
(||swift - torch|| / ||torch|| per tensor, worst over tensors) for the loss, the gradients and
the weight updates.
Usage: train_step_reference.py DIR
"""
import json
import sys

import numpy as np
import torch
from diffusers import UNet2DConditionModel
from safetensors.torch import load_file

d = sys.argv[1]
s = json.load(open(f"{d}/settings.json"))
torch.set_default_dtype(torch.float64)
w = {k: v.double() for k, v in load_file(f"{d}/weights.safetensors").items()}
grads_swift = {k: v.double() for k, v in load_file(f"{d}/grads.safetensors").items()}
after_swift = {k: v.double() for k, v in load_file(f"{d}/after.safetensors").items()}
npy = lambda n: torch.from_numpy(np.load(f"{d}/{n}.npy")).double()

u = s["unet"]
levels = len(u["channel_mult"])
attn = [(1 << i) in u["attention_resolutions"] for i in range(levels)]
unet = UNet2DConditionModel(
    sample_size=u["image_size"], in_channels=u["in_channels"], out_channels=u["out_channels"],
    block_out_channels=tuple(u["model_channels"] * m for m in u["channel_mult"]),
    down_block_types=tuple("CrossAttnDownBlock2D" if a else "DownBlock2D" for a in attn),
    up_block_types=tuple("CrossAttnUpBlock2D" if a else "UpBlock2D" for a in reversed(attn)),
    layers_per_block=u["num_res_blocks"], cross_attention_dim=u["context_dim"],
    attention_head_dim=u["num_heads"], norm_num_groups=u["norm_groups"]).double()
unet_sd = {k[len("unet."):]: v for k, v in w.items() if k.startswith("unet.") and "_text." not in k}
unet.load_state_dict(unet_sd, strict=True)
customnet = s.get("mode") == "customnet"
text_linears = {}


class DualCrossAttention:
    """CustomNet's attn2 (customnet/attention.py): shared query, image pair on token 0, text pair on the rest."""

    def __init__(self, kt, vt):
        self.kt, self.vt = kt, vt

    def __call__(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None, temb=None, **kwargs):
        q = attn.to_q(hidden_states)
        image, text = encoder_hidden_states[:, :1], encoder_hidden_states[:, 1:]

        def attend(k, v):
            b, n, c = q.shape
            h = attn.heads
            d = c // h
            qh, kh, vh = (x.view(b, -1, h, d).transpose(1, 2) for x in (q, k, v))
            p = torch.softmax(qh @ kh.transpose(-1, -2) * d ** -0.5, dim=-1)
            return (p @ vh).transpose(1, 2).reshape(b, n, c)

        out = attend(attn.to_k(image), attn.to_v(image)) + attend(self.kt(text), self.vt(text))
        return attn.to_out[1](attn.to_out[0](out))


if customnet:
    procs = {}
    for name in unet.attn_processors:
        module = name[: -len(".processor")]
        attn_module = unet.get_submodule(module)
        if module.endswith("attn2"):
            kt = torch.nn.Linear(attn_module.to_k.in_features, attn_module.to_k.out_features, bias=False)
            vt = torch.nn.Linear(attn_module.to_v.in_features, attn_module.to_v.out_features, bias=False)
            kt.weight.data.copy_(w[f"unet.{module}.to_k_text.weight"])
            vt.weight.data.copy_(w[f"unet.{module}.to_v_text.weight"])
            text_linears[f"unet.{module}.to_k_text.weight"] = kt.weight
            text_linears[f"unet.{module}.to_v_text.weight"] = vt.weight
            procs[name] = DualCrossAttention(kt, vt)
        else:
            procs[name] = attn_module.processor
    unet.set_attn_processor(procs)


class Encoder(torch.nn.Module):
    def __init__(self, channels, width):
        super().__init__()
        layers, c = [], 3
        for out in channels:
            layers += [torch.nn.Conv2d(c, out, 3, stride=2, padding=1), torch.nn.SiLU()]
            c = out
        self.convs = torch.nn.Sequential(*layers)
        self.proj = torch.nn.Linear(c, width)

    def forward(self, x):
        return self.proj(self.convs(x).mean(dim=(2, 3)))


width = u["context_dim"]
encoder = Encoder(s["encoder_channels"], width)
encoder.load_state_dict({k[len("encoder."):]: v for k, v in w.items() if k.startswith("encoder.")})
cc = torch.nn.Linear(width + 4, width)
cc.load_state_dict({k[len("cc_projection."):]: v for k, v in w.items() if k.startswith("cc_projection.")})

ref, target, pose = npy("reference"), npy("target"), npy("pose")
t = npy("t").long()
noise = npy("noise")
keep_image, keep_concat = npy("keep_image"), npy("keep_concat")
abar = torch.tensor(np.load(f"{d}/alphas_cumprod.npy")).double()

emb = encoder(ref) * keep_image[:, None]                       # dropped: zeros BEFORE cc_projection
token = cc(torch.cat([emb[:, None, :], pose[:, None, :]], dim=-1))
if customnet:
    token_embedding = torch.nn.Parameter(w["text.token_embedding.weight"].clone())
    position_embedding = torch.nn.Parameter(w["text.position_embedding.weight"].clone())
    ids = npy("text_ids").long()
    token = torch.cat([token, token_embedding[ids] + position_embedding[None]], dim=1)
a = abar[t][:, None, None, None]
x_t = a.sqrt() * target + (1 - a).sqrt() * noise
concat_image = npy("concat_image") if customnet else ref         # pixel space: c_concat is the image itself
c_concat = concat_image * keep_concat[:, None, None, None]
eps = unet(torch.cat([x_t, c_concat], 1), t, encoder_hidden_states=token).sample
loss = torch.nn.functional.mse_loss(eps, noise)
loss.backward()

named = {"unet." + k: p for k, p in unet.named_parameters()}
named.update({"encoder." + k: p for k, p in encoder.named_parameters()})
named.update({"cc_projection." + k: p for k, p in cc.named_parameters()})
named.update(text_linears)
if customnet:
    named.update({"text.token_embedding.weight": token_embedding, "text.position_embedding.weight": position_embedding})
before = {k: p.detach().clone() for k, p in named.items()}


def rel(a, b):
    n = b.norm().item()
    return (a - b).norm().item() / n if n > 0 else (a - b).norm().item()


report = {"loss_swift": float(np.load(f"{d}/loss.npy").reshape(-1)[0]), "loss_torch": loss.item()}
report["loss_rel"] = abs(report["loss_swift"] - report["loss_torch"]) / abs(report["loss_torch"])
# Tensors whose true gradient is zero (view mode has ONE context token, so softmax over it is
# constant and attn2's to_q, to_k and norm2 get no gradient): PyTorch holds round-off there
# (~1e-17), Swift exact zeros. They are compared in absolute terms, and left out of the
# relative update comparison (Adam's normalisation turns round-off into a full-size step).
global_norm = torch.sqrt(sum(p.grad.norm() ** 2 for p in named.values())).item()
zero = {k for k, p in named.items() if p.grad.norm().item() < 1e-9 * global_norm}
report["zero_grad_tensors"] = len(zero)
report["zero_grad_swift_max_abs"] = max((grads_swift[k].abs().max().item() for k in zero), default=0.0)
grad_errors = {k: rel(grads_swift[k], p.grad) for k, p in named.items() if k not in zero}
report["grad_rel_max"] = max(grad_errors.values())
report["grad_rel_worst"] = max(grad_errors, key=grad_errors.get)
report["grad_tensors"] = len(grad_errors)
report["grad_bad"] = {k: round(v, 6) for k, v in sorted(grad_errors.items(), key=lambda kv: -kv[1]) if v > 1e-4}


def adamw_step(grads, dtype=torch.float64):
    """Clip and step a fresh torch AdamW on copies of the weights-before with the given gradients."""
    params = {k: torch.nn.Parameter(before[k].clone().to(dtype)) for k in named}
    for k, p in params.items():
        p.grad = grads[k].clone().to(dtype)
    norm = torch.nn.utils.clip_grad_norm_(list(params.values()), s["max_grad_norm"]).item()
    lr = s["lr"]
    fast = (lambda k: "_text." in k) if customnet else (lambda k: k.startswith("cc_projection."))
    base = [p for k, p in params.items() if not fast(k)]
    ccp = [p for k, p in params.items() if fast(k)]
    torch.optim.AdamW([{"params": base, "lr": lr}, {"params": ccp, "lr": lr * s["cc_multiplier"]}],
                      lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=s["weight_decay"]).step()
    return {k: p.detach().double() for k, p in params.items()}, norm


# The optimiser given Swift's own gradients, in float32 as PyTorch trains: isolates clipping,
# AdamW (decoupled decay p *= 1 - lr wd, bias corrections) and the 10x group.
after_same, report["grad_norm_swift_grads"] = adamw_step(grads_swift, torch.float32)
optimizer_errors = {k: rel(after_swift[k] - before[k], after_same[k] - before[k]) for k in named}
report["optimizer_rel_max"] = max(optimizer_errors.values())
report["optimizer_rel_worst"] = max(optimizer_errors, key=optimizer_errors.get)
# End to end: torch's float64 gradients through torch's AdamW. Adam divides every element by its
# own magnitude, so elements whose gradient is at float32 round-off level (|g| << ||g||) can flip
# sign; reported, not a correctness criterion beyond the gradient check above.
after_torch, report["grad_norm_torch"] = adamw_step({k: p.grad for k, p in named.items()})
update_errors = {k: rel(after_swift[k] - before[k], after_torch[k] - before[k]) for k in named if k not in zero}
report["update_rel_max"] = max(update_errors.values())
report["update_rel_worst"] = max(update_errors, key=update_errors.get)
report["update_rel_median"] = float(np.median(list(update_errors.values())))
report["weight_rel_max"] = max(rel(after_swift[k], after_torch[k]) for k in named)
print(json.dumps(report))
