import Foundation
import Testing
import TestSupport
@testable import NN
import Tensor

/// Checkpoints written by real PyTorch (`torch.save`, safetensors' `save_file`) for the checkpoint
/// tests, made once per test run in a scratch folder by the Python below (its interpreter comes from
/// TestSupport's `Python`: $CN_PYTHON or the repository's .venv, with torch). Expected values are
/// torch's own `t.to(float32).contiguous()` as raw little-endian float32 files.
enum CheckpointFixtures {
    /// Why the fixtures could not be made.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The folder holding the fixtures, made on first use.
    static let folder: Result<URL, Failure> = {
        let folder = TestPaths.scratchFolder("checkpoints")
        do {
            let python = try Python.interpreter(importing: ["torch", "safetensors", "numpy"])
            let script = folder.appendingPathComponent("fixtures.py")
            try Data(source.utf8).write(to: script)
            let result = try ProcessRunner.run(python, [script.path, folder.path])
            guard result.status == 0 else {
                return .failure(Failure(description: "fixtures.py exited with \(result.status): \(result.stderr)"))
            }
            return .success(folder)
        } catch {
            return .failure(Failure(description: "\(error)"))
        }
    }()

    /// The path of fixture `name`.
    static func path(_ name: String) throws -> String {
        try folder.get().appendingPathComponent(name).path
    }

    /// torch's float32 values of every tensor of fixture group `group` ("plain", "lightning", ...).
    static func expected(_ group: String) throws -> [String: (tensor: Tensor, dtype: String)] {
        let root = try folder.get()
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("expected.json")))
        guard let groups = json as? [String: [String: [String: Any]]], let entries = groups[group] else {
            throw Failure(description: "expected.json has no group \(group)")
        }
        var out: [String: (tensor: Tensor, dtype: String)] = [:]
        for (key, info) in entries {
            let shape = (info["shape"] as? [Int]) ?? []
            let bytes = try Data(contentsOf: root.appendingPathComponent("expected").appendingPathComponent(info["file"] as? String ?? ""))
            let values = bytes.withUnsafeBytes { raw in
                (0..<(bytes.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            }
            out[key] = (Tensor(shape: shape, data: values), info["dtype"] as? String ?? "")
        }
        return out
    }

    /// Bit patterns, so that NaN payloads and signed zeros compare exactly.
    static func bits(_ t: Tensor) -> [UInt32] { t.data.map(\.bitPattern) }

    /// The Python that writes the fixtures into argv[1].
    static let source = #"""
import collections, io, json, os, pickle, struct, sys, types, zipfile
import torch
from safetensors.torch import save_file

out = sys.argv[1]
os.makedirs(os.path.join(out, "expected"), exist_ok=True)
expected = {}
counter = [0]

def expect(name, key, t):
    v = t.detach().to(torch.float32).contiguous()
    counter[0] += 1
    fn = f"{name}-{counter[0]}.f32"
    v.numpy().astype("<f4").tofile(os.path.join(out, "expected", fn))
    expected.setdefault(name, {})[key] = {"file": fn, "shape": list(v.shape), "dtype": str(t.dtype)}

g = torch.Generator().manual_seed(1234)
base = torch.randn(6, 5, generator=g)
f16 = torch.tensor([1.0, -2.5, 65504.0, 6e-8, float("inf"), float("-inf"), float("nan"), 0.333], dtype=torch.float16)
bf16 = (torch.randn(2, 3, generator=g) * 1e3).to(torch.bfloat16)
f64 = torch.tensor([1.0 / 3.0, 1e-46, 3.5e38, 1e39, -2.0 ** -149, 0.1], dtype=torch.float64)
i64 = torch.tensor([0, -7, 2 ** 40 + 1, 16777217], dtype=torch.int64)
sd = collections.OrderedDict()
sd["base.weight"] = base
sd["base.transposed"] = base.t()                 # a non-contiguous view sharing base's storage
sd["base.slice"] = base[1:, 2:4]                  # storage offset and strides
sd["base.expanded"] = torch.randn(3, 1, generator=g).expand(3, 4)  # stride 0
sd["half"] = f16
sd["brain"] = bf16
sd["double"] = f64
sd["long"] = i64
sd["scalar"] = torch.tensor(2.75)
sd["empty"] = torch.zeros(0, 3)
sd["param"] = torch.nn.Parameter(torch.randn(4, generator=g))
sd["flags"] = torch.tensor([True, False, True])
for k, v in sd.items():
    expect("plain", k, v)
torch.save(sd, os.path.join(out, "plain.pt"))
torch.save(sd, os.path.join(out, "plain_p4.pt"), pickle_protocol=4, _use_new_zipfile_serialization=True)
torch.save(sd, os.path.join(out, "legacy.pt"), _use_new_zipfile_serialization=False)

# A real module state dict (OrderedDict with _metadata set by BUILD).
torch.manual_seed(7)
module = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
torch.save(module.state_dict(), os.path.join(out, "module.bin"))
for k, v in module.state_dict().items():
    expect("module", k, v)

# A Lightning-like checkpoint from ldm / zero123: state dict with an EMA copy, optimizer state,
# callbacks keyed by the ModelCheckpoint class as PyTorch Lightning 1.4 wrote them.
mc = types.ModuleType("pytorch_lightning.callbacks.model_checkpoint")
class ModelCheckpoint: pass
ModelCheckpoint.__module__ = "pytorch_lightning.callbacks.model_checkpoint"
mc.ModelCheckpoint = ModelCheckpoint
for name in ["pytorch_lightning", "pytorch_lightning.callbacks", "pytorch_lightning.callbacks.model_checkpoint"]:
    sys.modules.setdefault(name, types.ModuleType(name))
sys.modules["pytorch_lightning.callbacks.model_checkpoint"] = mc
state = collections.OrderedDict()
state["model.diffusion_model.input_blocks.0.0.weight"] = torch.randn(4, 8, 3, 3, generator=g)
state["model.diffusion_model.input_blocks.0.0.bias"] = torch.randn(4, generator=g)
state["model.diffusion_model.out.2.weight"] = torch.randn(4, 4, 1, 1, generator=g).half()
state["first_stage_model.decoder.conv_in.weight"] = torch.randn(2, 2, generator=g)
state["cc_projection.weight"] = torch.randn(3, 5, generator=g)
state["model_ema.decay"] = torch.tensor(0.9999)
state["model_ema.num_updates"] = torch.tensor(105000, dtype=torch.int)
state["model_ema.diffusion_modelinput_blocks00weight"] = torch.randn(4, 8, 3, 3, generator=g)
state["model_ema.diffusion_modelinput_blocks00bias"] = torch.randn(4, generator=g)
state["model_ema.diffusion_modelout2weight"] = torch.randn(4, 4, 1, 1, generator=g).half()
for k, v in state.items():
    expect("lightning", k, v)
ckpt = {
    "epoch": 3, "global_step": 105000, "pytorch-lightning_version": "1.4.2",
    "state_dict": state,
    "callbacks": {ModelCheckpoint: {"monitor": None, "best_model_score": None, "best_model_path": "", "dirpath": "logs/ckpt"}},
    "optimizer_states": [{"state": {0: {"step": torch.tensor(3.0), "exp_avg": torch.randn(4, generator=g), "exp_avg_sq": torch.rand(4, generator=g)}},
                          "param_groups": [{"lr": 1e-4, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.01, "amsgrad": False, "params": [0]}]}],
    "lr_schedulers": [], "device": torch.device("cuda", 0), "big": 2 ** 70, "ratio": -0.5, "blob": b"\x00\x01",
}
expect("lightning-opt", "optimizer_states.0.state.0.exp_avg", ckpt["optimizer_states"][0]["state"][0]["exp_avg"])
torch.save(ckpt, os.path.join(out, "lightning.ckpt"))

# The same weights as safetensors and as a .ckpt.
weights = {"a.weight": torch.randn(7, 3, generator=g), "a.bias": torch.randn(7, generator=g).to(torch.bfloat16),
           "b.weight": torch.randn(2, 2, 2, generator=g).half()}
save_file(weights, os.path.join(out, "same.safetensors"))
torch.save({"state_dict": weights}, os.path.join(out, "same.ckpt"))

# Hand-built archives in torch's layout, for crafted pickles.
def write_archive(path, pkl, storages, prefix="archive"):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr(f"{prefix}/data.pkl", pkl)
        z.writestr(f"{prefix}/byteorder", "little")
        for key, data in storages.items():
            z.writestr(f"{prefix}/data/{key}", data)
        z.writestr(f"{prefix}/version", "3\n")

class StorageMarker:
    def __init__(self, pid): self.pid = pid
class Crafted(pickle.Pickler):
    def persistent_id(self, obj):
        return obj.pid if isinstance(obj, StorageMarker) else None
class Rebuild:
    def __init__(self, args): self.args = args
    def __reduce__(self): return (torch._utils._rebuild_tensor_v2, self.args)
def crafted(obj, protocol=2):
    buf = io.BytesIO()
    Crafted(buf, protocol=protocol).dump(obj)
    return buf.getvalue()
four = struct.pack("<4f", 1, 2, 3, 4)
def tensor(numel=4, offset=0, size=(4,), stride=(1,), key="0"):
    return Rebuild((StorageMarker(("storage", torch.FloatStorage, key, "cpu", numel)), offset, size, stride, False, collections.OrderedDict()))
write_archive(os.path.join(out, "crafted-ok.pt"), crafted({"w": tensor(size=(2, 2), stride=(1, 2))}), {"0": four}, prefix="weird_prefix")
write_archive(os.path.join(out, "bad-storage-size.pt"), crafted({"w": tensor(numel=5, size=(5,))}), {"0": four})
write_archive(os.path.join(out, "bad-offset.pt"), crafted({"w": tensor(offset=2 ** 63 - 10, size=(2,))}), {"0": four})
write_archive(os.path.join(out, "bad-extent.pt"), crafted({"w": tensor(size=(3,), stride=(2,))}), {"0": four})
write_archive(os.path.join(out, "bad-overflow.pt"), crafted({"w": tensor(size=(2 ** 40, 2 ** 40), stride=(1, 1))}), {"0": four})
write_archive(os.path.join(out, "missing-storage.pt"), crafted({"w": tensor(key="9")}), {"0": four})

# Malicious pickles: each would create its canary if unpickled by Python.
canary_dir = os.path.join(out, "canaries")
os.makedirs(canary_dir, exist_ok=True)
class Evil:
    def __init__(self, fn, arg): self.fn, self.arg = fn, arg
    def __reduce__(self): return (self.fn, (self.arg,))
def touch(name): return f"touch {os.path.join(canary_dir, name)}"
import builtins, posix
payloads = {
    "os-system.pt": crafted({"w": tensor(), "x": Evil(os.system, touch("os-system"))}),                     # GLOBAL posix system, protocol 2
    "eval.pt": crafted({"w": tensor(), "x": Evil(builtins.eval, f"__import__('os').system({touch('eval')!r})")}, protocol=4),  # STACK_GLOBAL
    "posix-system.pt": crafted([Evil(posix.system, touch("posix-system")), tensor()], protocol=5),
    # Hand-written GLOBAL 'os system' (the module name os, as older picklers write it).
    "os-system-hand.pt": b"\x80\x02cos\nsystem\nq\x00X" + struct.pack("<I", len(touch("os-system-hand"))) + touch("os-system-hand").encode() + b"\x85R.",
    # The allowed inert class, but called.
    "called-class.pt": b"\x80\x02cpytorch_lightning.callbacks.model_checkpoint\nModelCheckpoint\n)R.",
}
for name, pkl in payloads.items():
    write_archive(os.path.join(out, name), pkl, {"0": four})
# Prove the payload is live: Python's own unpickler runs it (the test checks this canary exists).
pickle.loads(crafted(Evil(os.system, touch("proof"))))

with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected, f)
print("ok")
"""#
}
