// The Tensor module: float32 tensors and the ops (with hand-written backward passes) of a small
// neural-network engine on OpenBLAS, for the SD-1.x UNet of Zero-1-to-3 / CustomNet on the CPU.
//
// Shape of the code
// - `Tensor`: a C-order float32 value (NCHW images, [B, L, C] tokens, PyTorch weight layouts).
// - Ops are free functions with a matching `...Backward` (silu, gelu, geglu, softmax,
//   scaledDotProductAttention, upsampleNearest2x, concat/split, add/mul with broadcasting,
//   mseLoss, mean, timestepEmbedding, imageToTokens/tokensToImage).
// - Parametrised ops are free functions too (linear, conv2d, groupNorm, layerNorm) taking weights
//   as tensors; their backward passes ADD weight gradients into `inout` tensors.
// - Every backward is hand-written around whole BLAS calls (no `_Differentiation`) and checked
//   against Richardson-extrapolated central differences in Tests/TensorTests.
// - Layers, the module tree, optimisers and checkpoints live in the NN module, built on these ops.
//
// Who owns the cores (see `ComputeThreads`)
// OpenBLAS is pinned to ONE thread; this module owns the parallelism. Each op splits its work
// into `ComputeThreads.threadCount` contiguous chunks (conv2d: images; attention: batch x heads;
// linear: output rows; norms and point-wise ops: rows / element ranges) and runs them on
// `WorkerPool` (persistent threads that poll for the next region for 1 ms before sleeping, so
// hundreds of short regions per training step do not each pay a thread wake-up; libdispatch's
// `concurrentPerform` when the pool is busy); every chunk calls single-threaded `cblas_sgemm` on its own
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
