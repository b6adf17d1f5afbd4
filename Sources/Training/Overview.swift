// The Training module: the bundled trainer behind `cn-train` (issue 11).
//
// - `TrainingPreset`: model presets in YAML (Pipelines/train/*.yaml): `sd` (the released SD-1.x
//   topology, VAE latents, frozen CLIP from --init) and CPU presets (`cpu-tiny`, `cpu-small`: the
//   same block structure at reduced width, pixel space at reduced resolution = identity first
//   stage, `SmallImageEncoder` / `TextStandIn` learned in place of CLIP).
// - Data: `ShardSet` lists WORKDIR/shards/{split}-*.tar; `ShuffledShardStream` streams them
//   through a seeded shuffle buffer, epoch after epoch; its state is a function of (seed, data
//   position) and is rebuilt on resume by replaying the epoch's tar bytes (nothing decoded).
//   `TrainingSample` decodes ref.png / target.png / concat.png / txt / json at the preset's size.
// - Objective (`TrainingModel`, model.md section 6): eps MSE at t ~ U{0..999}; per item one
//   r ~ U[0,1): r < 0.05 image embedding zeroed BEFORE cc_projection, 0.05 <= r < 0.10 embedding
//   and c_concat, 0.10 <= r < 0.15 c_concat only; CustomNet's caption -> "" with p 0.15; x0 =
//   VAE posterior sample x 0.18215 (sd) or the image (CPU), c_concat = posterior mean unscaled
//   (sd) or the image. Draws: SeededRandom(runSeed: seed, stage: "cn-train-step", item:
//   "STEP.MICRO") in the order t, r, caption coin, posterior noise, eps.
// - Optimisation: NN's AdamW over `parameterGroups` (cc_projection x10 in view, to_k_text /
//   to_v_text x10 in customnet), LinearWarmup, clipGradientNorm, accumulation (loss / N per
//   micro-batch), ExponentialMovingAverage of the UNet (ldm LitEma naming in checkpoints).
// - `--init`: `TrainingModel.initialise` loads a released zero123 / CustomNet checkpoint; a
//   CustomNet model from a zero123 checkpoint gets every attn2's to_k_text / to_v_text as copies
//   of its to_k / to_v; the report lists loaded, initialised, random (stand-ins) and unused keys.
// - `Trainer`: the loop, checkpoints (`TrainingCheckpoint`, atomic safetensors with model,
//   optimizer.exp_avg / exp_avg_sq per parameter, model_ema.*, and step / data position / seed
//   metadata), resume from the newest checkpoint, log.jsonl, loss.png and sample grids
//   (`TrainingPlots`), the memory estimate (`MemoryEstimate`), and the manifest's run row.
