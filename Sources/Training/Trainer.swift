// The training loop of zero123 `main.py` / ldm `ddpm.py` under PyTorch Lightning (accumulate,
// clip, warm-up, EMA after each optimizer step), made resumable to the byte: every random draw is
// a function of (seed, step, micro-batch) and the data stream of (seed, data position).
import Foundation
import Support
import Tensor
import NN
import Diffusion
import Imaging
import Manifest
import Shards
import Pipeline
#if canImport(Glibc)
import Glibc
#endif

/// What a `cn-train` invocation asks for; nil fields keep the preset's values.
public struct TrainingOptions: Sendable {
    public var mode: TrainingMode
    public var workdir: String
    public var preset: String
    public var presetFolder: String
    public var steps: Int?, batch: Int?, learningRate: Float?, accumulate: Int?, checkpointEvery: Int?, ema: Float?
    public var seed: UInt64 = 0
    public var out: String?
    public var initCheckpoint: String?
    public var vocabulary: String?
    public var maxMinutes: Double?
    public var verifyShards = false
    /// Debug aid: train on the first batch only, with the draws of step 0 at every step (the loss should approach 0).
    public var overfitBatch = false
    /// Build everything, print the plan and the memory estimate, and stop before training.
    public var dryRun = false
    /// Benchmarks: write no checkpoint (a run with it cannot be resumed).
    public var noCheckpoints = false
    /// Classifier-free guidance scale of the sample grids (zero123's 3).
    public var sampleGuidance: Float = 3
    public var progress: ProgressMode = .auto
    public var arguments: [String] = CommandLine.arguments

    public init(mode: TrainingMode, workdir: String, preset: String, presetFolder: String) {
        self.mode = mode
        self.workdir = workdir
        self.preset = preset
        self.presetFolder = presetFolder
    }

    /// The run folder (default WORKDIR/train/MODE).
    public var runFolder: String { out ?? workdir + "/train/" + mode.rawValue }
}

/// Runs (or resumes) a training run and writes checkpoints, log.jsonl, loss.png and sample grids.
public final class Trainer {
    public let options: TrainingOptions
    public let preset: TrainingPreset
    public let model: TrainingModel
    public let optimizer: AdamW
    public let ema: ExponentialMovingAverage?
    let emaNames: [String]
    let presetYAML: String
    let train: ShardSet
    let validation: ShardSet?
    /// What `--init` did (nil without --init).
    public private(set) var initReport: TrainingModel.InitReport?
    /// The step the run starts from (non-zero when resumed).
    public private(set) var step = 0
    var stream: ShuffledShardStream
    var trainLosses: [(Int, Float)] = [], validationLosses: [(Int, Float)] = []
    let print: (String) -> Void

    /// Sets a run up: preset, model, optimizer, data; resumes from the newest checkpoint of the
    /// run folder when there is one.
    public init(options: TrainingOptions, print: @escaping (String) -> Void = { Swift.print($0); fflush(nil) }) throws {
        self.options = options
        self.print = print
        var (preset, yaml) = try TrainingPreset.load(nameOrPath: options.preset, folder: options.presetFolder)
        if let v = options.steps { preset.steps = v }
        if let v = options.batch { preset.batch = v }
        if let v = options.learningRate { preset.learningRate = v }
        if let v = options.accumulate { preset.accumulate = v }
        if let v = options.checkpointEvery { preset.checkpointEvery = v }
        if let v = options.ema { preset.ema = v }
        guard preset.batch > 0, preset.accumulate > 0, preset.steps >= 0, preset.checkpointEvery > 0 else {
            throw TrainingError("--batch, --accumulate and --checkpoint-every must be positive")
        }
        self.preset = preset
        presetYAML = yaml
        let shardFolder = options.workdir + "/shards"
        train = try ShardSet(folder: shardFolder, split: "train", verify: options.verifyShards)
        guard train.total > 0 else { throw TrainingError("no training shards in \(shardFolder) (expected train-000000.tar ...; run cn-shard first)") }
        let val = try ShardSet(folder: shardFolder, split: "val", verify: options.verifyShards)
        validation = val.total > 0 ? val : nil

        model = try TrainingModel(preset: preset, mode: options.mode, seed: options.seed)
        if let path = options.initCheckpoint {
            let source = try CheckpointFile.open(path, ema: false)
            initReport = try model.initialise(from: source, vocabulary: options.vocabulary)
        }
        if let missing = model.missingFrozenParts {
            throw TrainingError("preset \(preset.name) needs \(missing) from a released checkpoint: pass --init zero123.ckpt")
        }
        optimizer = AdamW(groups: model.parameterGroups(weightDecay: preset.weightDecay), learningRate: preset.learningRate,
                          maxGradientNorm: preset.gradientClip > 0 ? preset.gradientClip : nil,
                          schedule: preset.warmupSteps > 0 ? LinearWarmup(warmupSteps: preset.warmupSteps, startFactor: preset.warmupStart) : nil)
        let unetNamed = model.unet.namedParameters(prefix: TrainingModel.unetPrefix)
        emaNames = unetNamed.map(\.0)
        ema = preset.ema > 0 ? ExponentialMovingAverage(unetNamed.map(\.1), decay: preset.ema) : nil

        let run = options.runFolder
        try AtomicFile.makeFolders(run)
        AtomicFile.removeOrphans(below: run)
        try Self.checkRunIdentity(options: options, preset: preset, yaml: yaml)
        var position = 0
        if let last = TrainingCheckpoint.steps(run: run).last {
            let state = try TrainingCheckpoint.load(TrainingCheckpoint.path(run: run, step: last), model: model,
                                                    optimizer: optimizer, ema: ema, emaNames: emaNames)
            step = state.step
            position = state.dataPosition
        }
        stream = try ShuffledShardStream(shards: train, seed: options.seed, bufferSize: preset.shuffleBuffer, position: position)
        try restoreLog()
    }

    /// Lines of run.yaml before the preset YAML (mode, seed, batch, accumulate, lr, ema, preset).
    static let runIdentityLines = 7

    /// The run folder remembers what it trains; resuming with another seed, preset or batch is refused.
    static func checkRunIdentity(options: TrainingOptions, preset: TrainingPreset, yaml presetYAML: String) throws {
        let identity = "mode: \(options.mode.rawValue)\nseed: \(options.seed)\nbatch: \(preset.batch)\naccumulate: \(preset.accumulate)\n"
            + "lr: \(preset.learningRate)\nema: \(preset.ema)\npreset: \(preset.name)\n" + presetYAML
        let path = options.runFolder + "/run.yaml"
        if let existing = try? String(contentsOfFile: path, encoding: .utf8) {
            guard existing == identity else {
                throw TrainingError("\(options.runFolder) holds another run (different mode, seed, preset, batch, lr or ema; see run.yaml): pass another --out or delete it")
            }
        } else {
            try AtomicFile.write(Array(identity.utf8), to: path)
        }
    }

    var logPath: String { options.runFolder + "/log.jsonl" }

    /// Keeps the log lines up to the resumed step (a killed run may have logged past its last checkpoint).
    func restoreLog() throws {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return }
        var kept: [String] = []
        for line in text.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let s = object["step"] as? Int, s <= step else { continue }
            kept.append(String(line))
            if let l = object["loss"] as? Double { trainLosses.append((s, Float(l))) }
            if let v = object["val_loss"] as? Double { validationLosses.append((s, Float(v))) }
        }
        try AtomicFile.write(Array((kept.map { $0 + "\n" }.joined()).utf8), to: logPath)
    }

    /// A decoded batch of `count` samples from the stream (an undecodable sample is reported and skipped).
    func nextBatch() throws -> TrainingBatch {
        var samples: [TrainingSample] = []
        var failures = 0
        while samples.count < preset.batch {
            let raw = try stream.next()
            do { samples.append(try TrainingSample(raw, size: preset.imageSize)) } catch {
                failures += 1
                print("warning: skipping sample \(raw.key): \(error)")
                if failures > 100 { throw TrainingError("more than 100 undecodable samples in a row") }
            }
        }
        return TrainingBatch(samples)
    }

    lazy var validationBatches: [TrainingBatch] = {
        guard let validation, preset.valBatches > 0 else { return [] }
        var samples: [TrainingSample] = []
        for path in validation.paths {
            guard let reader = try? WebDatasetReaderBox(path) else { continue }
            while samples.count < preset.valBatches * preset.batch, let raw = reader.next() {
                if let s = try? TrainingSample(raw, size: preset.imageSize) { samples.append(s) }
            }
        }
        return stride(from: 0, to: samples.count, by: preset.batch).map { TrainingBatch(Array(samples[$0..<min($0 + preset.batch, samples.count)])) }
    }()

    /// Mean loss over the fixed validation batches with fixed draws (no dropout).
    public func validationLoss() throws -> Float? {
        let batches = validationBatches
        guard !batches.isEmpty else { return nil }
        var total: Float = 0
        for (i, batch) in batches.enumerated() {
            var draws = model.draws(seed: options.seed ^ 0x5EED_0F_7A1, step: -1, micro: i, batch: batch.count)
            draws.dropout = [Double](repeating: 1, count: batch.count)
            draws.emptyCaption = [Bool](repeating: false, count: batch.count)
            total += try model.evaluationLoss(batch, draws: draws)
        }
        return total / Float(batches.count)
    }

    /// Writes `samples/step-N.png` from the first validation (or training) samples.
    func writeSampleGrid() throws {
        let source = try validationBatches.first ?? TrainingBatch(try ShuffledShardStream(shards: train, seed: options.seed, bufferSize: 1)
            .nextSamples(preset.sampleCount, size: preset.imageSize))
        let k = min(preset.sampleCount, source.count)
        guard k > 0 else { return }
        let batch = TrainingBatch((0..<k).map { i in
            TrainingSample(key: source.keys[i], reference: slice(source.reference, i), target: slice(source.target, i),
                           concatImage: slice(source.concatImage, i), pose: Array(source.pose.data[(4 * i)..<(4 * i + 4)]),
                           caption: source.captions[i])
        })
        let generated = try model.sample(batch, steps: preset.sampleSteps, guidance: options.sampleGuidance, seed: options.seed)
        let shown = options.mode == .view ? batch.reference : batch.concatImage
        let grid = TrainingPlots.sampleGrid(reference: shown, generated: generated, target: batch.target)
        try ImageFile.write(grid, to: options.runFolder + "/samples/step-" + String(format: "%06d", step) + ".png")
    }

    func slice(_ t: Tensor, _ i: Int) -> Tensor {
        let per = t.count / t.shape[0]
        return Tensor(shape: Array(t.shape.dropFirst()), data: Array(t.data[(i * per)..<((i + 1) * per)]))
    }

    func writeLossCurve() throws {
        let image = TrainingPlots.lossCurve(train: trainLosses, validation: validationLosses,
                                            title: "cn-train \(options.mode.rawValue) \(preset.name): loss")
        try ImageFile.write(image, to: options.runFolder + "/loss.png")
    }

    func appendLog(_ fields: [(String, String)]) throws {
        let line = "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}\n"
        let fd = open(logPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileWriteError(path: logPath, operation: "open", errno: errno) }
        defer { close(fd) }
        _ = line.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress!, $0.count - 1) }
    }

    func checkpoint() throws {
        if options.noCheckpoints { return }
        let state = TrainingCheckpoint.State(step: step, dataPosition: stream.position, seed: options.seed,
                                             optimizerSteps: optimizer.stepCount, emaUpdates: ema?.updates ?? 0,
                                             mode: options.mode.rawValue, preset: preset.name, presetYAML: presetYAML)
        try TrainingCheckpoint.save(model: model, optimizer: optimizer, ema: ema, emaNames: emaNames, state: state,
                                    run: options.runFolder, keep: preset.keepCheckpoints)
    }

    /// The result of `run()`.
    public struct Summary: Sendable {
        public var startStep: Int, endStep: Int, firstLoss: Float?, lastLoss: Float?, validationLoss: Float?
        public var samplesPerSecond: Double, stoppedByTimeLimit: Bool, checkpoint: String
    }

    /// Trains up to `preset.steps` (or the time limit), checkpointing as configured.
    public func run() throws -> Summary {
        let startStep = step
        let estimate = MemoryEstimate(model: model, batch: preset.batch, emaEnabled: ema != nil)
        print("cn-train \(options.mode.rawValue): preset \(preset.name), \(train.total) train samples in \(train.paths.count) shards, "
              + "\(validation?.total ?? 0) val; batch \(preset.batch) x \(preset.accumulate), lr \(preset.learningRate), seed \(options.seed), "
              + "run folder \(options.runFolder)")
        print(estimate.summary)
        if let report = initReport {
            print("init: loaded \(report.loaded.count) weights from \(options.initCheckpoint!); "
                  + (report.initialised.isEmpty ? "" : "initialised \(report.initialised.count) new keys (\(report.rule)); ")
                  + (report.random.isEmpty ? "" : "\(report.random.count) stand-in weights random; ")
                  + "\(report.unused.count) checkpoint keys unused")
            let data = try JSONEncoder().encode(report)
            try AtomicFile.write([UInt8](data), to: options.runFolder + "/init-report.json")
        }
        if options.dryRun {
            return Summary(startStep: step, endStep: step, firstLoss: nil, lastLoss: nil, validationLoss: nil, samplesPerSecond: 0,
                           stoppedByTimeLimit: false, checkpoint: "(dry run: none written)")
        }
        if startStep > 0 { print("resuming at step \(startStep) (data position \(stream.position), epoch \(stream.currentEpoch))") }
        let runID = try startManifestRun()
        let bar = StepProgress(total: preset.steps, mode: options.progress)
        let began = Date()
        var samplesDone = 0
        var stoppedByTime = false
        var lastValidation: Float?
        while step < preset.steps {
            if let minutes = options.maxMinutes, Date().timeIntervalSince(began) >= minutes * 60 {
                stoppedByTime = true
                break
            }
            let stepStart = Date()
            optimizer.zeroGradients()
            var loss: Float = 0
            if options.overfitBatch {
                stream = try ShuffledShardStream(shards: train, seed: options.seed, bufferSize: preset.shuffleBuffer, position: 0)
            }
            var dataSeconds = 0.0
            for micro in 0..<preset.accumulate {
                let dataStart = Date()
                let batch = try nextBatch()
                dataSeconds += Date().timeIntervalSince(dataStart)
                let draws = model.draws(seed: options.seed, step: options.overfitBatch ? 0 : step, micro: micro, batch: batch.count)
                loss += try model.accumulateGradients(batch, draws: draws, lossScale: 1 / Float(preset.accumulate)) / Float(preset.accumulate)
            }
            let lr = optimizer.currentLearningRate
            let norm = optimizer.step()
            ema?.update()
            step += 1
            samplesDone += preset.batch * preset.accumulate
            let stepSeconds = Date().timeIntervalSince(stepStart)
            let rate = Double(preset.batch * preset.accumulate) / max(stepSeconds, 1e-9)
            trainLosses.append((step, loss))
            var fields: [(String, String)] = [("step", "\(step)"), ("loss", "\(loss)"), ("lr", "\(lr)"), ("grad_norm", "\(norm)"),
                                              ("samples_per_s", String(format: "%.3f", rate)), ("epoch", "\(stream.currentEpoch)"),
                                              ("data_ms", String(format: "%.1f", dataSeconds * 1000)),
                                              ("compute_ms", String(format: "%.1f", (stepSeconds - dataSeconds) * 1000))]
            if step % max(1, preset.valEvery) == 0 || step == preset.steps, let v = try validationLoss() {
                fields.append(("val_loss", "\(v)"))
                validationLosses.append((step, v))
                lastValidation = v
            }
            if step % max(1, preset.logEvery) == 0 || fields.count > 8 { try appendLog(fields) }
            bar.update(step: step, loss: loss, samplesPerSecond: Double(samplesDone) / max(Date().timeIntervalSince(began), 1e-9),
                       stepsDone: step - startStep, elapsed: Date().timeIntervalSince(began))
            if preset.sampleEvery > 0 && (step % preset.sampleEvery == 0 || step == preset.steps) { try writeSampleGrid() }
            if step % preset.checkpointEvery == 0 || step == preset.steps {
                try checkpoint()
                try writeLossCurve()
            }
        }
        bar.clear()
        if stoppedByTime || step == startStep {
            if stoppedByTime && step > startStep {
                // What a user stopping by the clock wants to see: the validation loss and a grid at this step.
                if validationLosses.last?.0 != step, let v = try validationLoss() {
                    validationLosses.append((step, v))
                    lastValidation = v
                }
                if preset.sampleEvery > 0 { try writeSampleGrid() }
            }
            if !TrainingCheckpoint.steps(run: options.runFolder).contains(step) { try checkpoint() }
            try writeLossCurve()
        }
        let elapsed = Date().timeIntervalSince(began)
        try finishManifestRun(runID, steps: step - startStep)
        let firstWindow = trainLosses.prefix(10).map(\.1)
        return Summary(startStep: startStep, endStep: step,
                       firstLoss: firstWindow.isEmpty ? nil : firstWindow.reduce(0, +) / Float(firstWindow.count),
                       lastLoss: trainLosses.last?.1, validationLoss: lastValidation ?? validationLosses.last?.1,
                       samplesPerSecond: elapsed > 0 ? Double(samplesDone) / elapsed : 0, stoppedByTimeLimit: stoppedByTime,
                       checkpoint: options.noCheckpoints ? "(none: --no-checkpoints)" : TrainingCheckpoint.path(run: options.runFolder, step: step))
    }

    // MARK: - The manifest's run table

    func startManifestRun() throws -> Int64? {
        let url = URL(fileURLWithPath: options.workdir)
        guard FileManager.default.fileExists(atPath: options.workdir + "/" + ManifestStore.fileName) else { return nil }
        let store = try ManifestStore.open(workdir: url)
        let invocation = RunLog.Invocation(executable: "cn-train", stage: "train-" + options.mode.rawValue, arguments: options.arguments,
                                           configHash: SHA256.hex(presetYAML), seed: options.seed, partition: "1/1",
                                           jobs: ComputeThreads.threadCount)
        return try store.write { db in try RunLog.start(db, invocation, now: Self.now()) }
    }

    func finishManifestRun(_ id: Int64?, steps: Int) throws {
        guard let id else { return }
        let store = try ManifestStore.open(workdir: URL(fileURLWithPath: options.workdir))
        try store.write { db in
            try RunLog.add(db, run: id, claimed: steps, done: steps, failed: 0, skipped: 0)
            try RunLog.finish(db, run: id, exitStatus: 0, pending: max(0, preset.steps - step), now: Self.now())
        }
    }

    static func now() -> String {
        let f = ISO8601DateFormatter()
        return f.string(from: Date())
    }
}

/// Reads one shard in order (validation).
final class WebDatasetReaderBox {
    let reader: WebDatasetReader
    init(_ path: String) throws { reader = try WebDatasetReader(path: path) }
    func next() -> WebDatasetSample? { reader.next() }
}

extension ShuffledShardStream {
    /// The next `count` decodable samples.
    func nextSamples(_ count: Int, size: Int) throws -> [TrainingSample] {
        var out: [TrainingSample] = []
        var tries = 0
        while out.count < count && tries < count + 100 {
            tries += 1
            if let s = try? TrainingSample(try next(), size: size) { out.append(s) }
        }
        return out
    }
}

/// The training progress bar on stderr: step, loss, samples/s, ETA (terminal only, not in CI).
final class StepProgress {
    let total: Int
    let enabled: Bool
    var lastDraw = Date.distantPast

    init(total: Int, mode: ProgressMode) {
        self.total = total
        switch mode {
        case .always: enabled = true
        case .never: enabled = false
        case .auto: enabled = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["CI"] == nil
        }
    }

    func update(step: Int, loss: Float, samplesPerSecond: Double, stepsDone: Int, elapsed: Double) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 || step == total else { return }
        lastDraw = now
        let fraction = total > 0 ? Double(step) / Double(total) : 1
        let filled = Int(fraction * 24)
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: 24 - filled)
        let remaining = stepsDone > 0 ? elapsed / Double(stepsDone) * Double(total - step) : 0
        let s = Int(remaining.rounded())
        let eta = s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
        let line = "train [\(bar)] step \(step)/\(total)  loss " + String(format: "%.4f", loss)
            + String(format: "  %.1f samples/s", samplesPerSecond) + "  ETA \(eta)"
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8))
    }

    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
