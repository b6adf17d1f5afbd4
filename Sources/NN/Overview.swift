// The NN module: the layer tree over Tensor's ops (PyTorch `torch.nn`'s shape).
//
// - `Module`: parameters it holds itself (`localParameters`) and named `children`; parameter
//   names are collected recursively, so checkpoint keys come from the tree, never from strings
//   assembled by hand. `ModuleList` / `Sequential` name their children "0", "1", ...
// - Layers (`Linear`, `Conv2d`, `GroupNorm` with an explicit eps, `LayerNorm`, `CrossAttention`
//   with CustomNet's dual text key/value, `FeedForward`, `TransformerBlock`, `SpatialTransformer`,
//   `ResBlock`, `Upsample`, `Downsample`, `TimestepEmbedder`) follow ldm's module names; `forward`
//   caches what `backward` needs, `backward(dy)` ADDS parameter gradients and returns the input
//   gradient(s). Inside `InferenceMode.run` nothing is cached and no gradient is allocated.
// - Optimisation: `AdamW` over `ParameterGroup`s, `clipGradientNorm`, `LinearWarmup`,
//   `ExponentialMovingAverage`.
// - Checkpoints (Checkpoint/): PyTorch zip archives through a restricted unpickler that refuses
//   every global but the few torch uses for tensors, memory-mapped and read lazily
//   (`TorchCheckpoint`, `EMAWeights`), and memory-mapped safetensors (`SafetensorsFile`).
//   Any `TensorSource` (safetensors, PyTorch archives, dictionaries) loads through
//   `Module.load(from:prefix:transforms:strict:)`, one tensor at a time, seen through
//   `KeyTransform`s that may turn one entry into several.
