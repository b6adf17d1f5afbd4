// `cn-eval compare`: scores images made anywhere else against targets, pairing files by name
// without extension, with optional baselines (other prediction folders on the same targets, e.g.
// the reference view copied as the prediction).
import Foundation
import Imaging
import Support

/// The inputs of a comparison.
public struct CompareOptions: Sendable {
    /// Folders of predictions and targets (PNG / JPEG, paired by file name without extension).
    public var predictions: String, targets: String
    /// Baseline name -> folder of baseline predictions for the same targets.
    public var baselines: [(name: String, folder: String)]
    /// Sample id -> prompt, for CLIP-T.
    public var prompts: [String: String]
    /// The bootstrap of the aggregates.
    public var bootstrap: Bootstrap

    /// Options.
    public init(predictions: String, targets: String, baselines: [(name: String, folder: String)] = [],
                prompts: [String: String] = [:], bootstrap: Bootstrap = Bootstrap()) {
        self.predictions = predictions
        self.targets = targets
        self.baselines = baselines
        self.prompts = prompts
        self.bootstrap = bootstrap
    }
}

/// Runs a comparison and writes its report folder.
public enum CompareEvaluation {
    /// The image files of a folder by id (file name without extension); a name used twice is an error.
    public static func listImages(_ folder: String) throws -> (files: [String: String], duplicates: [String: String]) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw EvaluationError(.badInput, "\(folder) is not a folder")
        }
        var files: [String: String] = [:], duplicates: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() {
            let ext = (name as NSString).pathExtension.lowercased()
            guard ["png", "jpg", "jpeg"].contains(ext), !name.hasPrefix(".") else { continue }
            let id = (name as NSString).deletingPathExtension
            if let previous = files[id] {
                duplicates[id] = "two files for id \(id): \((previous as NSString).lastPathComponent) and \(name)"
            }
            files[id] = (folder as NSString).appendingPathComponent(name)
        }
        return (files, duplicates)
    }

    /// Reads prompts: a JSON object {id: prompt}, or lines "id<TAB>prompt".
    public static func readPrompts(_ path: String) throws -> [String: String] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw EvaluationError(.badInput, "cannot read prompts \(path): \(error.localizedDescription)")
        }
        if text.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("{") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw EvaluationError(.badInput, "\(path) is not a JSON object of id -> prompt")
            }
            var out: [String: String] = [:]
            for (k, v) in object {
                guard let s = v as? String else { throw EvaluationError(.badInput, "\(path): the prompt of \(k) is not a string") }
                out[k] = s
            }
            return out
        }
        var out: [String: String] = [:]
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let parts = line.split(separator: "\t", maxSplits: 1)
            guard parts.count == 2 else { throw EvaluationError(.badInput, "\(path) line \(n + 1): expected id<TAB>prompt") }
            out[String(parts[0])] = String(parts[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
        }
        return out
    }

    /// Scores every prediction against its target (and each baseline), returning the report and
    /// the loaded images by id (for the grid and the HTML page).
    public static func run(_ options: CompareOptions, scorer: PairScorer,
                           progress: (String) -> Void = { _ in }) throws -> (report: EvaluationReport, images: [String: (MetricImage, MetricImage)]) {
        let (predictions, predictionDuplicates) = try listImages(options.predictions)
        let (targets, targetDuplicates) = try listImages(options.targets)
        let ids = Set(predictions.keys).union(targets.keys).sorted()
        var items: [ReportItem] = []
        var loaded: [String: (MetricImage, MetricImage)] = [:]
        var pairs: [(id: String, prediction: MetricImage, target: MetricImage)] = []
        for id in ids {
            if let why = predictionDuplicates[id] ?? targetDuplicates[id] { items.append(ReportItem(id: id, error: why)); continue }
            guard let p = predictions[id] else { items.append(ReportItem(id: id, error: "no prediction for target \(id)")); continue }
            guard let t = targets[id] else { items.append(ReportItem(id: id, error: "prediction \(id) has no target")); continue }
            do {
                let prediction = try MetricImage.load(p), target = try MetricImage.load(t)
                try MetricImage.checkComparable(prediction, target)
                pairs.append((id, prediction, target))
            } catch {
                items.append(ReportItem(id: id, error: "\(error)"))
            }
        }
        let hasPrompts = !options.prompts.isEmpty
        let scored = try score(pairs, scorer: scorer, prompts: hasPrompts ? options.prompts : nil, label: "predictions", progress: progress)
        items += scored
        for pair in pairs { loaded[pair.id] = (pair.prediction, pair.target) }
        items.sort { $0.id < $1.id }

        var baselines: [String: [ReportItem]] = [:]
        for (name, folder) in options.baselines {
            let (files, _) = try listImages(folder)
            var baselinePairs: [(id: String, prediction: MetricImage, target: MetricImage)] = []
            var baselineItems: [ReportItem] = []
            for pair in pairs {
                guard let path = files[pair.id] else { baselineItems.append(ReportItem(id: pair.id, error: "baseline \(name) has no \(pair.id)")); continue }
                do {
                    let image = try MetricImage.load(path)
                    try MetricImage.checkComparable(image, pair.target)
                    baselinePairs.append((pair.id, image, pair.target))
                } catch {
                    baselineItems.append(ReportItem(id: pair.id, error: "\(error)"))
                }
            }
            baselineItems += try score(baselinePairs, scorer: scorer, prompts: hasPrompts ? options.prompts : nil,
                                       label: "baseline \(name)", progress: progress)
            baselines[name] = baselineItems
        }
        var notComputed = scorer.networks.notComputed(prompts: hasPrompts)
        if let smallest = pairs.map({ min($0.target.width, $0.target.height) }).min(), smallest < SSIM.gaussian.windowSize {
            notComputed[.ssimGaussian] = notComputed[.ssimGaussian] ?? "images under 11 px have no Gaussian SSIM (its window is 11x11)"
        }
        let report = EvaluationReport(items: items, baselines: baselines, bootstrap: options.bootstrap, notComputed: notComputed,
                                      inputs: ["predictions": options.predictions, "targets": options.targets])
        return (report, loaded)
    }

    /// Scores pairs: pixel metrics over all cores, then the networks pair by pair.
    static func score(_ pairs: [(id: String, prediction: MetricImage, target: MetricImage)], scorer: PairScorer,
                      prompts: [String: String]?, label: String, progress: (String) -> Void) throws -> [ReportItem] {
        let pixel = PairScorer.pixelMetrics(pairs.map { ($0.prediction, $0.target) })
        var items: [ReportItem] = []
        for (i, pair) in pairs.enumerated() {
            var item = ReportItem(id: pair.id)
            do {
                item.values = try pixel[i].get()
                let prompt = prompts?[pair.id]
                if let prompt { item.extra["prompt"] = prompt }
                item.values.merge(try scorer.networkMetrics(pair.prediction, pair.target, key: pair.id, prompt: prompt)) { a, _ in a }
                if prompts != nil, prompt == nil, scorer.networks.clip?.canEmbedText == true {
                    item.extra["note"] = "no prompt for this id, so no clip_t"
                }
            } catch {
                item = ReportItem(id: pair.id, error: "\(error)")
            }
            items.append(item)
            if (i + 1) % 25 == 0 || i + 1 == pairs.count { progress("\(label): scored \(i + 1) of \(pairs.count)") }
        }
        return items
    }

    /// Writes report.json, report.csv, grid.png, report.html and images/ into `folder`.
    public static func write(_ report: EvaluationReport, images: [String: (MetricImage, MetricImage)], to folder: String) throws {
        var report = report
        let imageFolder = (folder as NSString).appendingPathComponent("images")
        try FileManager.default.createDirectory(atPath: imageFolder, withIntermediateDirectories: true)
        var used = Set<String>()
        for index in report.items.indices {
            let id = report.items[index].id
            guard let (prediction, target) = images[id] else { continue }
            var stem = safeName(id), n = 1
            while used.contains(stem) { n += 1; stem = safeName(id) + "-\(n)" }
            used.insert(stem)
            let p = "images/\(stem).prediction.png", t = "images/\(stem).target.png"
            try AtomicFile.write(try PNG.encodeOpaque(prediction.rgbaImage), to: (folder as NSString).appendingPathComponent(p))
            try AtomicFile.write(try PNG.encodeOpaque(target.rgbaImage), to: (folder as NSString).appendingPathComponent(t))
            report.items[index].predictionImage = p
            report.items[index].targetImage = t
        }
        try AtomicFile.write(Array(ReportJSON.render(report).utf8), to: (folder as NSString).appendingPathComponent("report.json"))
        try AtomicFile.write(Array(ReportCSV.render(report).utf8), to: (folder as NSString).appendingPathComponent("report.csv"))
        try AtomicFile.write(Array(ReportHTML.render(report).utf8), to: (folder as NSString).appendingPathComponent("report.html"))
        var grid: RGBAImage?
        if let metric = report.rankingMetric {
            grid = ReportGrid.render(report, metric: metric, images: { images[$0.id] })
        } else if let key = report.rankingNumber {
            grid = ReportGrid.render(ranked: report.ranked(byNumber: key), label: key, value: { $0.numbers[key] }, images: { images[$0.id] })
        }
        if let grid { try AtomicFile.write(try PNG.encodeOpaque(grid), to: (folder as NSString).appendingPathComponent("grid.png")) }
    }

    /// A file-name-safe form of an id (letters, digits, '-', '_', '.'; others become '_').
    static func safeName(_ id: String) -> String {
        let mapped = id.unicodeScalars.map { s -> Character in
            (CharacterSet.alphanumerics.contains(s) && s.isASCII) || s == "-" || s == "_" || s == "." ? Character(s) : "_"
        }
        let name = String(mapped)
        return name.isEmpty || name.hasPrefix(".") ? "_" + name : name
    }
}
