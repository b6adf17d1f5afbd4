// `cn-eval views` and `cn-eval customize` (issue 12): generate each held-out pair's view with a
// checkpoint and score it, with baselines on the same items.
// - views (Zero-1-to-3, model.md section 7): reference + T -> the true target view; PSNR, both
//   SSIMs, LPIPS (CLIP-I / DINO-I against the target too); baselines `reference_copy` (the reference
//   view as the prediction) and, for fixture objects, `exact_render` (the mesh rendered at the
//   target pose with the render backend, framed as the target).
// - customize (CustomNet, customnet.md section 4): reference + T + box + caption -> the scene;
//   identity DINO-I and CLIP-I against the reference view, CLIP-T against the caption, and the
//   pixel metrics against the scene target; baselines `reference_copy` and `target` (the scene
//   target itself as the prediction).
// Images are scored at the model's resolution (targets resized to it as training resizes them).
import Foundation
import Geometry
import Imaging
import OpenImagesStages
import Support
import Training

/// What `views` / `customize` evaluate.
public struct GenerationEvaluationOptions: Sendable {
    /// The workdir (manifest and the files of its samples) and the split.
    public var workdir: String, split: String
    /// Bootstrap of the intervals.
    public var bootstrap: Bootstrap
    /// At most this many pairs (in sample id order), or all.
    public var limit: Int?

    /// Options.
    public init(workdir: String, split: String, bootstrap: Bootstrap = Bootstrap(), limit: Int? = nil) {
        self.workdir = workdir
        self.split = split
        self.bootstrap = bootstrap
        self.limit = limit
    }
}

/// Runs `views` and `customize`.
public enum GenerationEvaluation {
    /// Which evaluation.
    public enum Task: String, Sendable { case views, customize }

    /// Generates and scores every pair; returns the report (without checkpoint and sampler fields,
    /// which the caller sets) and each item's (prediction, target) images.
    public static func run(_ task: Task, options: GenerationEvaluationOptions, sampling: any ViewGenerating, scorer: PairScorer,
                           progress: (String) -> Void = { _ in }) throws -> (report: EvaluationReport, images: [String: (MetricImage, MetricImage)]) {
        if task == .customize, !sampling.isCustomNet {
            throw EvaluationError(.badInput, "customize needs a CustomNet checkpoint trained with cn-train customnet; this one makes views only")
        }
        var (pairs, skipped) = try HeldOutPairs.load(workdir: options.workdir, split: options.split, requireTrueTarget: task == .views)
        if let limit = options.limit { pairs = Array(pairs.prefix(limit)) }
        guard !pairs.isEmpty else {
            throw EvaluationError(.badInput, "no \(options.split) pairs to evaluate in \(options.workdir)"
                                  + (skipped.isEmpty ? " (run cn-shard first)" : "; \(skipped.count) left out, e.g. \(skipped[0].id): \(skipped[0].reason)"))
        }
        var items: [ReportItem] = skipped.map { ReportItem(id: $0.id, error: "not evaluated: \($0.reason)") }
        var scored: [(id: String, prediction: MetricImage, target: MetricImage)] = []
        var references: [String: MetricImage] = [:], prompts: [String: String] = [:]
        var exactRenders: [(id: String, prediction: MetricImage, target: MetricImage)] = [], exactRenderErrors: [ReportItem] = []
        let renderer = RenderSynthesisBackend(config: SynthesizeConfig())
        let files = SampleImageFile()
        for (n, pair) in pairs.enumerated() {
            do {
                let referenceImage = try files.load(pair.reference)
                let reference = sampling.modelImage(referenceImage), target = try sampling.modelImage(pair.target, files: files)
                let concat = try (task == .customize ? pair.concat : nil).map { try files.load($0) }
                let prediction = try sampling.generate(id: pair.id, referencePath: pair.reference, reference: referenceImage, pose: pair.pose, concat: concat,
                                                       caption: task == .customize ? pair.caption : "")
                scored.append((pair.id, prediction, target))
                references[pair.id] = reference
                prompts[pair.id] = pair.caption
                if task == .views, let mesh = pair.meshPath, let matrix = pair.worldToCamera, let camera = WorldToCamera(rowMajor3x4: matrix) {
                    let subject = SynthesisSubject(objectID: pair.id, reference: pair.reference, mesh: KnownMesh(path: mesh, worldToCamera: camera))
                    do {
                        let render = try renderer.view(of: subject, delta: ViewDelta(polarDegrees: 0, azimuthDegrees: 0, radius: 0))
                        exactRenders.append((pair.id, sampling.modelImage(render), target))
                    } catch {
                        exactRenderErrors.append(ReportItem(id: pair.id, error: "exact render: \(error)"))
                    }
                }
            } catch {
                items.append(ReportItem(id: pair.id, error: "\(error)"))
            }
            if (n + 1) % 10 == 0 || n + 1 == pairs.count { progress("generated \(n + 1) of \(pairs.count)") }
        }
        let copies = scored.map { (id: $0.id, prediction: references[$0.id]!, target: $0.target) }
        var baselines: [String: [ReportItem]] = [:]
        switch task {
        case .views:
            items += try CompareEvaluation.score(scored, scorer: scorer, prompts: nil, label: "predictions", progress: progress)
            baselines["reference_copy"] = try CompareEvaluation.score(copies, scorer: scorer, prompts: nil, label: "baseline reference_copy", progress: progress)
            if !exactRenders.isEmpty {
                baselines["exact_render"] = try CompareEvaluation.score(exactRenders, scorer: scorer, prompts: nil, label: "baseline exact_render", progress: progress)
                    + exactRenderErrors
            }
        case .customize:
            items += try scoreCustomization(scored, references: references, prompts: prompts, scorer: scorer)
            baselines["reference_copy"] = try scoreCustomization(copies, references: references, prompts: prompts, scorer: scorer)
            baselines["target"] = try scoreCustomization(scored.map { ($0.id, $0.target, $0.target) }, references: references, prompts: prompts, scorer: scorer)
        }
        items.sort { a, b in (Int(a.id) ?? Int.max, a.id) < (Int(b.id) ?? Int.max, b.id) }
        var notComputed = scorer.networks.notComputed(prompts: task == .customize)
        if sampling.size < SSIM.gaussian.windowSize {
            notComputed[.ssimGaussian] = "the model's \(sampling.size) px images are under Gaussian SSIM's 11x11 window"
        }
        if task == .views { notComputed[.clipT] = "views has no text condition (customize scores CLIP-T)" }
        if task == .customize, scorer.networks.lpips != nil { notComputed[.lpips] = "customize scores identity (DINO-I, CLIP-I) and text (CLIP-T), not LPIPS" }
        let report = EvaluationReport(
            items: items, baselines: baselines, bootstrap: options.bootstrap, notComputed: notComputed,
            inputs: ["workdir": options.workdir, "split": options.split, "task": task.rawValue,
                     "scored_at": "\(sampling.size)x\(sampling.size) (the model's resolution; targets resized to it)",
                     "identity_against": task == .customize ? "the reference view (clip_i, dino_i); pixel metrics against the scene target" : "the target view"])
        var images: [String: (MetricImage, MetricImage)] = [:]
        for pair in scored { images[pair.id] = (pair.prediction, pair.target) }
        return (report, images)
    }

    /// CustomNet's scores of each generation: PSNR / SSIM against the scene target, DINO-I and
    /// CLIP-I against the reference view, CLIP-T against the caption.
    static func scoreCustomization(_ pairs: [(id: String, prediction: MetricImage, target: MetricImage)], references: [String: MetricImage],
                                   prompts: [String: String], scorer: PairScorer) throws -> [ReportItem] {
        let pixel = PairScorer.pixelMetrics(pairs.map { ($0.prediction, $0.target) })
        var items: [ReportItem] = []
        for (i, pair) in pairs.enumerated() {
            var item = ReportItem(id: pair.id)
            do {
                item.values = try pixel[i].get()
                let prompt = prompts[pair.id].flatMap { $0.isEmpty ? nil : $0 }
                if let prompt { item.extra["prompt"] = prompt }
                guard let reference = references[pair.id] else { throw EvaluationError(.pairing, "no reference view for \(pair.id)") }
                item.values.merge(try scorer.networkMetrics(pair.prediction, reference, key: "reference/" + pair.id, prompt: prompt)
                    .filter { $0.key != .lpips }) { a, _ in a }
            } catch {
                item = ReportItem(id: pair.id, error: "\(error)")
            }
            items.append(item)
        }
        return items
    }
}
