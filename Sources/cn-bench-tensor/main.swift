// Benchmark of the Tensor module (scripts/bench/tensor runs it in release mode):
// cblas_sgemm ceiling, conv2d and attention forward+backward GFLOP/s as a fraction of it, and one
// training step (forward + backward + AdamW) of 2 ResBlocks + 1 SpatialTransformer at 64 channels,
// 32x32, batch 8. Prints the load average, since the machine may be shared. Each op line gives
// wall-clock GFLOP/s against the 2-thread sgemm ceiling AND GFLOP per CPU-second against
// one-thread sgemm's, the second being the figure other processes on a busy machine barely move.
// Flags: --quick (3 repeats instead of 5), --step-only (ceiling and training step only),
// --probe (micro-measurements: softmax / SiLU over 64 Mi elements, single-thread sgemm at the
// conv GEMM shapes; then exit).
import COpenBLAS
import Foundation
import Support
import NN
import Tensor

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }

/// CPU seconds used by this process so far (user + system, all threads).
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) * 1e-6
    let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) * 1e-6
    return user + system
}

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
}

/// Median and best seconds of `body` over `repeats` runs after one warm-up.
func timeRuns(_ repeats: Int, _ body: () -> Void) -> (median: Double, best: Double) {
    body()
    var times: [Double] = []
    for _ in 0..<repeats {
        let t0 = now()
        body()
        times.append(now() - t0)
    }
    times.sort()
    return (times[times.count / 2], times[0])
}

/// CPU seconds (all threads) per run of `body`, averaged over `repeats` runs after a warm-up.
func cpuPerRun(_ repeats: Int, _ body: () -> Void) -> Double {
    body()
    let c0 = cpuSeconds()
    for _ in 0..<repeats { body() }
    return (cpuSeconds() - c0) / Double(repeats)
}

/// Best-of-N seconds: the op tables and the sgemm ceiling use the best run, the figure least
/// disturbed by other processes on a shared machine (both sides of each fraction alike).
func timeBest(_ repeats: Int, _ body: () -> Void) -> Double { timeRuns(repeats, body).best }

let arguments = CommandLine.arguments
let quick = arguments.contains("--quick")
let repeats = quick ? 3 : 5

print("load average (1/5/15 min) at start: \(loadAverage())")
print("threads: ours \(ComputeThreads.threadCount), OpenBLAS pinned to 1 inside ops")

// 1. sgemm ceiling: large square, OpenBLAS with all cores (what an ideal op could reach).
func sgemmGFLOPS(n: Int, threads: Int32) -> Double {
    openblas_set_num_threads(threads)
    var r = SeededRandom(seed: 1)
    let a = (0..<(n * n)).map { _ in r.uniformFloat(-1, 1) }, b = a
    var c = [Float](repeating: 0, count: n * n)
    let t = timeBest(repeats) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), b, Int32(n), 0, &c, Int32(n))
    }
    return 2 * Double(n * n * n) / t / 1e9
}
// Measured again at the end; the higher two-thread figure is the ceiling (a busy machine
// depresses it, which would flatter the fractions).
func measureCeiling(_ when: String) -> Double {
    let one = sgemmGFLOPS(n: 2048, threads: 1)
    let all = sgemmGFLOPS(n: 2048, threads: Int32(ComputeThreads.threadCount))
    ComputeThreads.configure()
    openblas_set_num_threads(1)
    print(String(format: "sgemm 2048^3 (%@): %.1f GFLOP/s on 1 thread, %.1f GFLOP/s on %d threads",
                 when, one, all, ComputeThreads.threadCount))
    return all
}
let ceiling = measureCeiling("start")

// Load-robust companion figure: GFLOP per CPU-second of one-thread sgemm 2048^3 (the per-core
// ceiling). Each op below also reports its GFLOP per CPU-second (all its threads' CPU time) as
// a fraction of this, which other processes on the machine barely disturb.
let perCoreCeiling: Double = {
    openblas_set_num_threads(1)
    let n = 2048
    let a = [Float](repeating: 0.5, count: n * n)
    var c = [Float](repeating: 0, count: n * n)
    let cpu = cpuPerRun(repeats) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), a, Int32(n), 0, &c, Int32(n))
    }
    return 2 * Double(n * n * n) / cpu / 1e9
}()
print(String(format: "sgemm 2048^3, 1 thread: %.1f GFLOP per CPU-second (the per-core ceiling)", perCoreCeiling))

func report(_ label: String, flopsF: Double, flopsB: Double, tf: Double, tb: Double, cpu: Double) {
    let gf = flopsF / tf / 1e9, gb = flopsB / tb / 1e9, gt = (flopsF + flopsB) / (tf + tb) / 1e9
    let perCore = (flopsF + flopsB) / cpu / 1e9
    print(String(format: "%@  fwd %6.2f ms %6.1f GF/s | bwd %6.2f ms %6.1f GF/s | fwd+bwd %6.1f GF/s = %3.0f%% of sgemm | %5.1f GF/CPU-s = %3.0f%% of 1-thread sgemm",
                 label.padding(toLength: 30, withPad: " ", startingAt: 0), tf * 1e3, gf, tb * 1e3, gb, gt, 100 * gt / ceiling,
                 perCore, 100 * perCore / perCoreCeiling))
}

if arguments.contains("--probe") {
    var r = SeededRandom(seed: 9)
    let big = Tensor.randomNormal(shape: [8 * 8 * 1024, 1024], random: &r)
    let ts = timeBest(3) { _ = softmax(big) }
    print(String(format: "probe: softmax of 64Mi elements %.1f ms", ts * 1e3))
    let tg = timeBest(3) { _ = silu(big) }
    print(String(format: "probe: silu of 64Mi elements %.1f ms", tg * 1e3))
    let tu = timeBest(3) { _ = Tensor(uninitializedShape: [8 * 8 * 1024, 1024]) }
    print(String(format: "probe: uninitialized 64Mi tensor %.1f ms", tu * 1e3))
    // Single-thread sgemm at the conv shapes (64 ch, 32x32 and 16x16): forward, dW, dcols.
    openblas_set_num_threads(1)
    for (m, n, k, ta, tb) in [(64, 1024, 576, false, false), (64, 576, 1024, false, true), (576, 1024, 64, true, false),
                              (64, 256, 576, false, false), (64, 576, 256, false, true), (576, 256, 64, true, false),
                              (2048, 2048, 2048, false, false)] {
        let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: k * n)
        var c = [Float](repeating: 0, count: m * n)
        let t = timeBest(5) {
            cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), Int32(k), 1,
                        a, Int32(ta ? m : k), b, Int32(tb ? k : n), 0, &c, Int32(n))
        }
        print(String(format: "probe: sgemm 1 thread m %d n %d k %d transA %d transB %d: %.1f GF/s", m, n, k, ta ? 1 : 0, tb ? 1 : 0,
                     2 * Double(m * n * k) / t / 1e9))
    }
    exit(0)
}

let stepOnly = arguments.contains("--step-only")

// --export DIR: one forward + backward of a small stack with non-zero weights, written as
// safetensors (weights under ldm names, inputs, output, gradients) for
// scripts/interop/tensor_torch_check.py, which redoes it in PyTorch and compares.
if let i = arguments.firstIndex(of: "--export"), i + 1 < arguments.count {
    let folder = arguments[i + 1]
    var r = SeededRandom(seed: 7)
    let res = ResBlock(channels: 32, outChannels: 64, embDim: 48, zeroInitOutput: false, random: &r)
    let st = SpatialTransformer(channels: 64, heads: 4, dimHead: 16, contextDim: 24, dualCrossAttention: true,
                                zeroInitOutput: false, random: &r)
    for (_, p) in res.namedParameters() + st.namedParameters() where p.value.rank == 1 {
        p.value = Tensor.randomNormal(shape: p.value.shape, std: 0.3, random: &r)  // non-trivial norms and biases
    }
    let x = Tensor.randomNormal(shape: [2, 32, 8, 8], random: &r)
    let emb = Tensor.randomNormal(shape: [2, 48], random: &r)
    let context = Tensor.randomNormal(shape: [2, 6, 24], random: &r)
    let target = Tensor.randomNormal(shape: [2, 64, 8, 8], random: &r)
    let y = st.forward(res.forward(x, emb: emb), context: context)
    let (loss, g) = mseLoss(y, target)
    let (dh, dContext) = st.backward(g)
    let (dx, dEmb) = res.backward(dh)
    var out: [String: Tensor] = ["input.x": x, "input.emb": emb, "input.context": context, "input.target": target,
                                 "output.y": y, "output.loss": Tensor(shape: [1], data: [loss]),
                                 "grad.input.x": dx, "grad.input.emb": dEmb, "grad.input.context": dContext]
    for (name, p) in res.namedParameters(prefix: "res") + st.namedParameters(prefix: "st") {
        out["weight." + name] = p.value
        out["grad." + name] = p.grad
    }
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try Safetensors.write(out, metadata: ["writer": "cn-bench-tensor"], to: folder + "/stack.safetensors")
    print("wrote \(out.count) tensors to \(folder)/stack.safetensors (loss \(loss))")
    exit(0)
}

// 2. conv2d forward + backward (FLOPs: forward 2*N*O*C*k*k*Ho*Wo, backward twice that).
if !stepOnly { print("\nconv2d, batch 8 (stride 1, 'same' padding)") }
for (c, hw, k) in stepOnly ? [] : [(64, 32, 3), (64, 16, 3), (128, 32, 3), (128, 16, 3), (64, 32, 1), (128, 16, 1)] {
    var r = SeededRandom(seed: 2)
    let conv = Conv2d(c, c, kernel: k, padding: k / 2, random: &r)
    let x = Tensor.randomNormal(shape: [8, c, hw, hw], random: &r)
    let dy = Tensor.randomNormal(shape: [8, c, hw, hw], random: &r)
    let tf = timeBest(repeats) { _ = conv.forward(x) }
    let tb = max(timeBest(repeats) { _ = conv.forward(x); _ = conv.backward(dy) } - tf, 1e-9)
    let cpu = cpuPerRun(repeats) { _ = conv.forward(x); _ = conv.backward(dy) }
    let flops = 2.0 * Double(8 * c * c * k * k * hw * hw)
    report("conv \(k)x\(k) \(c)->\(c) @\(hw)x\(hw)", flopsF: flops, flopsB: 2 * flops, tf: tf, tb: tb, cpu: cpu)
}

// 3. attention core (QK^T, softmax, PV) forward + backward; FLOPs count the four / eight GEMMs.
if !stepOnly { print("\nscaled dot-product attention, batch 8, 8 heads (SD-1.x head count)") }
for (c, hw, lk) in stepOnly ? [] : [(64, 32, 0), (128, 16, 0), (64, 32, 78), (128, 16, 78)] {
    var r = SeededRandom(seed: 3)
    let lq = hw * hw, l2 = lk == 0 ? lq : lk
    let q = Tensor.randomNormal(shape: [8, lq, c], random: &r)
    let k = Tensor.randomNormal(shape: [8, l2, c], random: &r), v = Tensor.randomNormal(shape: [8, l2, c], random: &r)
    let dO = Tensor.randomNormal(shape: [8, lq, c], random: &r)
    // Probabilities go back to the pool after each run, as CrossAttention does in training.
    let tf = timeBest(repeats) { BufferPool.shared.recycle(scaledDotProductAttention(q: q, k: k, v: v, heads: 8).probabilities.data) }
    let probs = scaledDotProductAttention(q: q, k: k, v: v, heads: 8).probabilities
    let tb = timeBest(repeats) {
        _ = scaledDotProductAttentionBackward(q: q, k: k, v: v, probabilities: probs, heads: 8, dOutput: dO)
    }
    let cpu = cpuPerRun(repeats) {
        let (_, p) = scaledDotProductAttention(q: q, k: k, v: v, heads: 8)
        _ = scaledDotProductAttentionBackward(q: q, k: k, v: v, probabilities: p, heads: 8, dOutput: dO)
        BufferPool.shared.recycle(p.data)
    }
    let flops = 4.0 * Double(8 * lq * l2 * c)
    report((lk == 0 ? "self" : "cross(78)") + " attn C=\(c) L=\(lq)", flopsF: flops, flopsB: 2 * flops, tf: tf, tb: tb, cpu: cpu)
}

// 4. One training step of the small stack.
print("\ntraining step: 2 ResBlocks + 1 SpatialTransformer (dual cross-attn, context 78x768), 64 ch, 32x32, batch 8")
var r = SeededRandom(seed: 4)
let res1 = ResBlock(channels: 64, embDim: 256, random: &r)
let res2 = ResBlock(channels: 64, embDim: 256, random: &r)
let st = SpatialTransformer(channels: 64, heads: 8, dimHead: 8, contextDim: 768, dualCrossAttention: true, random: &r)
let named = res1.namedParameters(prefix: "0") + res2.namedParameters(prefix: "1") + st.namedParameters(prefix: "2")
let optimizer = AdamW(groups: ParameterGroup.partition(named, rules: [("to_k_text", 10), ("to_v_text", 10)]), learningRate: 1e-4)
let x = Tensor.randomNormal(shape: [8, 64, 32, 32], random: &r)
let emb = Tensor.randomNormal(shape: [8, 256], random: &r)
let context = Tensor.randomNormal(shape: [8, 78, 768], random: &r)
let target = Tensor.randomNormal(shape: [8, 64, 32, 32], random: &r)
let parameterCount = named.reduce(0) { $0 + $1.1.value.count }
var lastLoss: Float = 0
let cpuBefore = cpuSeconds(), wallBefore = now()
let (stepTime, stepBest) = timeRuns(repeats) {
    optimizer.zeroGradients()
    let h1 = res1.forward(x, emb: emb)
    let h2 = res2.forward(h1, emb: emb)
    let y = st.forward(h2, context: context)
    let (loss, g) = mseLoss(y, target)
    lastLoss = loss
    let d2 = st.backward(g).dx
    let d1 = res2.backward(d2).dx
    _ = res1.backward(d1)
    optimizer.step()
}
let cpuPerStep = (cpuSeconds() - cpuBefore) / Double(repeats + 1), wallPerStep = (now() - wallBefore) / Double(repeats + 1)
print(String(format: "swift step: %.2f CPU-seconds per step, %.2f cores busy on average", cpuPerStep, cpuPerStep / wallPerStep))
print(String(format: "swift step: %.1f ms median, %.1f ms best of %d (%d parameters, loss %.4f, workspace %.1f MB)",
             stepTime * 1e3, stepBest * 1e3, repeats, parameterCount, lastLoss, Double(Workspace.current.bytesHeld) / 1e6))
let ceilingEnd = measureCeiling("end")
print(String(format: "ceiling used for the fractions above: %.1f GFLOP/s (start); end-of-run measurement %.1f GFLOP/s", ceiling, ceilingEnd))
print("load average (1/5/15 min) at end: \(loadAverage())")
print(String(format: "SWIFT_STEP_MS=%.3f", stepTime * 1e3))
print(String(format: "SWIFT_STEP_BEST_MS=%.3f", stepBest * 1e3))
print(String(format: "SWIFT_STEP_CPU_S=%.4f", cpuPerStep))
