// The Tensor module: a small float32 neural-network engine on OpenBLAS for training the SD-1.x
// UNet of Zero-1-to-3 / CustomNet on the CPU.
//
// Shape of the code
// - `Tensor`: a C-order float32 value (NCHW images, [B, L, C] tokens, PyTorch weight layouts).
// - Ops are free functions with a matching `...Backward` (silu, gelu, geglu, softmax,
//   scaledDotProductAttention, upsampleNearest2x, concat/split, add/mul with broadcasting,
//   mseLoss, mean, timestepEmbedding, imageToTokens/tokensToImage).
// - Layers are classes conforming to `Layer` (named parameters in ldm's checkpoint names):
//   Linear, Conv2d, GroupNorm, LayerNorm, CrossAttention (with CustomNet's dual text key/value),
//   FeedForward (GEGLU), TransformerBlock, SpatialTransformer, ResBlock, Upsample, Downsample,
//   TimestepEmbedder. `forward` caches what `backward` needs; `backward(dy)` ADDS parameter
//   gradients into `Parameter.grad` and returns the input gradient(s). One backward per forward.
// - Every backward is hand-written around whole BLAS calls (no `_Differentiation`) and checked
//   against Richardson-extrapolated central differences in Tests/TensorTests.
// - Training: `AdamW` (torch.optim.AdamW formula) over `ParameterGroup`s with learning-rate
//   multipliers, `clipGradientNorm`, `LinearWarmup`, `ExponentialMovingAverage` (ldm LitEma).
// - Checkpoints: `Safetensors` (F32 write; F32/F16/BF16 read), `Layer.stateDict` /
//   `loadStateDict` (strict by default) and `KeyRemapping` rule tables.
//
// Who owns the cores (see `ComputeThreads`)
// OpenBLAS is pinned to ONE thread; this module owns the parallelism. Each op splits its work
// into `ComputeThreads.threadCount` contiguous chunks (conv2d: images; attention: batch x heads;
// linear: output rows; norms and point-wise ops: rows / element ranges) and runs them with
// `DispatchQueue.concurrentPerform`; every chunk calls single-threaded `cblas_sgemm` on its own
// slice. No OpenBLAS worker threads exist to spin against ours, the chunking is a pure function
// of the sizes, and cross-chunk reductions are summed in chunk order, so a run is bit-for-bit
// reproducible on a given machine (the regression test checks this).
//
// Memory
// - `Workspace.current` (one per thread): scratch that grows to its high-water mark and is
//   reused by every later op call (im2col columns, col2im gradients, attention dP blocks).
// - `BufferPool.shared`: large op outputs that are fully overwritten are taken uninitialised from
//   a pool of recycled arrays; CrossAttention returns its probability tensors (the largest
//   activations) after backward, so they are reused next step instead of re-faulted.
