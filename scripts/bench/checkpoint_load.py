"""Helper of scripts/bench/checkpoint_load.

make FILE --gb G: writes a Lightning-style torch.save checkpoint of about G GB of random float32 in an
  SD-1.x layout: the zero123 UNet's shapes (diffusers' UNet2DConditionModel defaults with 8 input
  channels, built on the meta device, keys under model.diffusion_model.), the VAE's under
  first_stage_model., then model_ema.* copies (dots removed, as ldm's LitEma names them) until G GB.
load FILE: times torch.load(FILE, mmap=True, weights_only=True) and reading every state-dict tensor
  as an owned float32 copy (t.to(float32, copy=True)), and reports VmHWM like cn-bench-checkpoint.
"""
import sys
import time


def status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def make(path, gigabytes):
    import torch
    from diffusers import AutoencoderKL, UNet2DConditionModel

    with torch.device("meta"):
        unet = UNet2DConditionModel(sample_size=32, in_channels=8, cross_attention_dim=768)
        vae = AutoencoderKL(block_out_channels=(128, 256, 512, 512), latent_channels=4,
                            down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
                            layers_per_block=2)
    shapes = [("model.diffusion_model." + k, v.shape) for k, v in unet.state_dict().items()]
    shapes += [("first_stage_model." + k, v.shape) for k, v in vae.state_dict().items()]
    budget = int(gigabytes * 1e9)
    total = sum(4 * s.numel() for _, s in shapes)
    for k, s in list(shapes):
        if total >= budget or not k.startswith("model.diffusion_model."):
            continue
        shapes.append(("model_ema." + k[len("model."):].replace(".", ""), s))
        total += 4 * s.numel()
    g = torch.Generator().manual_seed(0)
    state = {k: torch.randn(s, generator=g) for k, s in shapes}
    state["model_ema.num_updates"] = torch.tensor(105000, dtype=torch.int)
    torch.save({"state_dict": state, "global_step": 105000, "epoch": 0}, path)
    print(f"wrote {path}: {len(state)} tensors, {total / 1e9:.2f} GB of float32")


def load(path):
    import torch

    baseline = status_kb("VmHWM")
    start = time.perf_counter()
    checkpoint = torch.load(path, mmap=True, weights_only=True)
    state = checkpoint["state_dict"]
    open_s = time.perf_counter() - start
    open_hwm = status_kb("VmHWM")
    start = time.perf_counter()
    values = 0
    checksum = 0.0
    for key in sorted(state):
        t = state[key]
        if not t.is_floating_point():
            continue
        copy = t.to(torch.float32, copy=True).contiguous()
        values += copy.numel()
        checksum += float(copy.reshape(-1)[0]) if copy.numel() else 0.0
        del copy
    read_s = time.perf_counter() - start
    print(f"TORCH_VALUES={values}")
    print(f"TORCH_CHECKSUM={checksum}")
    print(f"TORCH_OPEN_S={open_s}")
    print(f"TORCH_READ_S={read_s}")
    print(f"TORCH_BASE_KB={baseline}")
    print(f"TORCH_OPEN_HWM_KB={open_hwm}")
    print(f"TORCH_HWM_KB={status_kb('VmHWM')}")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], float(sys.argv[4]) if len(sys.argv) > 4 else 5.0)
    else:
        load(sys.argv[2])
