// The evaluation report and its `report.json` contract (issue 12):
// {"items": [{"id", "psnr", "ssim", "ssim_gaussian", "lpips", "clip_i", "clip_t", "dino_i", ...}],
//  "aggregate": {METRIC: {"mean", "ci95": [lo, hi], "n"}}, "baselines": {NAME: {METRIC: {...}}},
//  "checkpoint_sha256", "sampler": {...}}; a metric not computed is null (items) or absent
// (aggregates); an infinite PSNR (identical images) is null with "psnr_infinite": true.
import Foundation
import Support

/// One scored pair.
public struct ReportItem: Sendable, Equatable {
    /// The sample id (for `compare`, the file name without its extension).
    public var id: String
    /// The metrics computed for it.
    public var values: MetricValues
    /// Why it could not be scored (missing target, unreadable image ...), or nil.
    public var error: String?
    /// Paths of the prediction and target images inside the report folder (relative), when written.
    public var predictionImage: String?, targetImage: String?
    /// Extra string fields carried to JSON and CSV (e.g. the prompt).
    public var extra: [String: String]
    /// Extra numeric fields (e.g. pose-check's losses), aggregated like the metrics.
    public var numbers: [String: Double]

    /// An item.
    public init(id: String, values: MetricValues = [:], error: String? = nil, extra: [String: String] = [:],
                numbers: [String: Double] = [:]) {
        self.id = id
        self.values = values
        self.error = error
        self.extra = extra
        self.numbers = numbers
    }
}

/// A whole report: items, aggregates with bootstrap intervals, baselines measured on the same items.
public struct EvaluationReport: Sendable {
    /// The scored items in id order.
    public var items: [ReportItem]
    /// Per metric, the mean and 95% interval over the items that have it.
    public var aggregate: [Metric: MeanInterval]
    /// Per extra numeric field of the items, its mean and 95% interval (listed in "aggregate" after the metrics).
    public var numberAggregates: [String: MeanInterval]
    /// Per baseline name, its aggregates on the same items.
    public var baselines: [String: [Metric: MeanInterval]]
    /// The checkpoint the predictions came from (nil for `compare`).
    public var checkpointSHA256: String?
    /// The sampler settings as JSON text (an object), or nil.
    public var samplerJSON: String?
    /// Which metrics were asked for and computed (the others are null everywhere), with why not.
    public var notComputed: [Metric: String]
    /// Free description of inputs (folders, weights files) as JSON strings.
    public var inputs: [String: String]
    /// Further top-level fields of report.json, each a key and its JSON text, in this order.
    public var extraJSON: [(key: String, json: String)] = []

    /// Builds the aggregates of `items` and of each baseline's items with `bootstrap`.
    public init(items: [ReportItem], baselines: [String: [ReportItem]] = [:], bootstrap: Bootstrap = Bootstrap(),
                checkpointSHA256: String? = nil, samplerJSON: String? = nil, notComputed: [Metric: String] = [:],
                inputs: [String: String] = [:]) {
        self.items = items
        aggregate = Self.aggregates(items, bootstrap)
        numberAggregates = Self.numberAggregates(items, bootstrap)
        self.baselines = baselines.mapValues { Self.aggregates($0, bootstrap) }
        self.checkpointSHA256 = checkpointSHA256
        self.samplerJSON = samplerJSON
        self.notComputed = notComputed
        self.inputs = inputs
    }

    /// Mean and interval per metric over the finite values of `items`.
    static func aggregates(_ items: [ReportItem], _ bootstrap: Bootstrap) -> [Metric: MeanInterval] {
        var out: [Metric: MeanInterval] = [:]
        for metric in Metric.allCases {
            let values = items.compactMap { $0.values[metric] }.filter(\.isFinite)
            if let interval = bootstrap.interval(values) { out[metric] = interval }
        }
        return out
    }

    /// Mean and interval per extra numeric field over the finite values of `items`.
    static func numberAggregates(_ items: [ReportItem], _ bootstrap: Bootstrap) -> [String: MeanInterval] {
        var out: [String: MeanInterval] = [:]
        for key in Set(items.flatMap { $0.numbers.keys }) {
            let values = items.compactMap { $0.numbers[key] }.filter(\.isFinite)
            if let interval = bootstrap.interval(values) { out[key] = interval }
        }
        return out
    }

    /// The items that were scored (no error).
    public var scoredItems: [ReportItem] { items.filter { $0.error == nil } }

    /// The metric that ranks items best to worst: LPIPS, else SSIM, else the first computed.
    public var rankingMetric: Metric? {
        for m in [Metric.lpips, .ssim, .psnr, .dinoI, .clipI, .clipT] where aggregate[m] != nil { return m }
        return nil
    }

    /// An extra numeric field that ranks items (largest first) when no metric does (pose-check's gap).
    public var rankingNumber: String?

    /// Scored items ordered largest first by the extra numeric field `key`.
    public func ranked(byNumber key: String) -> [ReportItem] {
        scoredItems.filter { $0.numbers[key] != nil }.sorted { a, b in
            let x = a.numbers[key]!, y = b.numbers[key]!
            return x == y ? a.id < b.id : x > y
        }
    }

    /// Scored items ordered best first by `metric` (items without it last).
    public func ranked(by metric: Metric) -> [ReportItem] {
        scoredItems.filter { $0.values[metric] != nil }.sorted { a, b in
            let x = a.values[metric]!, y = b.values[metric]!
            if x == y { return a.id < b.id }
            return metric.higherIsBetter ? x > y : x < y
        }
    }
}

/// Writes `report.json`.
public enum ReportJSON {
    /// The JSON text (keys in a fixed order, two-space indentation).
    public static func render(_ report: EvaluationReport) -> String {
        var out = "{\n  \"items\": ["
        for (i, item) in report.items.enumerated() {
            var fields: [(String, String)] = [("id", quoted(item.id))]
            for metric in Metric.allCases {
                let v = item.values[metric]
                fields.append((metric.rawValue, number(v)))
                if metric == .psnr, let v, v.isInfinite { fields.append(("psnr_infinite", "true")) }
            }
            if let p = item.predictionImage { fields.append(("prediction_image", quoted(p))) }
            if let t = item.targetImage { fields.append(("target_image", quoted(t))) }
            for key in item.extra.keys.sorted() { fields.append((key, quoted(item.extra[key]!))) }
            for key in item.numbers.keys.sorted() { fields.append((key, number(item.numbers[key]))) }
            fields.append(("error", item.error.map(quoted) ?? "null"))
            out += (i == 0 ? "\n" : ",\n") + "    {" + fields.map { "\(quoted($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
        }
        out += report.items.isEmpty ? "],\n" : "\n  ],\n"
        out += "  \"aggregate\": " + aggregates(report.aggregate, numbers: report.numberAggregates, indent: "  ") + ",\n"
        out += "  \"baselines\": {"
        let names = report.baselines.keys.sorted()
        for (i, name) in names.enumerated() {
            out += (i == 0 ? "\n" : ",\n") + "    \(quoted(name)): " + aggregates(report.baselines[name]!, indent: "    ")
        }
        out += names.isEmpty ? "},\n" : "\n  },\n"
        out += "  \"checkpoint_sha256\": \(report.checkpointSHA256.map(quoted) ?? "null"),\n"
        out += "  \"sampler\": \(report.samplerJSON ?? "null"),\n"
        out += "  \"not_computed\": {" + report.notComputed.keys.sorted { $0.rawValue < $1.rawValue }
            .map { "\(quoted($0.rawValue)): \(quoted(report.notComputed[$0]!))" }.joined(separator: ", ") + "},\n"
        out += "  \"inputs\": {" + report.inputs.keys.sorted().map { "\(quoted($0)): \(quoted(report.inputs[$0]!))" }
            .joined(separator: ", ") + "},\n"
        for (key, json) in report.extraJSON { out += "  \(quoted(key)): \(json),\n" }
        let errors = report.items.filter { $0.error != nil }
        out += "  \"errors\": [" + errors.map { "{\"id\": \(quoted($0.id)), \"error\": \(quoted($0.error!))}" }
            .joined(separator: ", ") + "]\n}\n"
        return out
    }

    static func aggregates(_ table: [Metric: MeanInterval], numbers: [String: MeanInterval] = [:], indent: String) -> String {
        let present = Metric.allCases.filter { table[$0] != nil }.map { ($0.rawValue, table[$0]!) }
            + numbers.keys.sorted().map { ($0, numbers[$0]!) }
        if present.isEmpty { return "{}" }
        let lines = present.map { name, a -> String in
            "\(indent)  \(quoted(name)): " + interval(a)
        }
        return "{\n" + lines.joined(separator: ",\n") + "\n\(indent)}"
    }

    /// {"mean", "ci95": [lo, hi], "n"} of one aggregate.
    public static func interval(_ a: MeanInterval) -> String {
        "{\"mean\": \(number(a.mean)), \"ci95\": [\(number(a.lower)), \(number(a.upper))], \"n\": \(a.count)}"
    }

    /// A finite number in Swift's shortest round-trip form, else null.
    static func number(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "null" }
        return "\(v)"
    }

    /// A JSON string literal (Support's escaping).
    static func quoted(_ s: String) -> String { JSONString.quoted(s) }
}

/// Writes `report.csv`: one row per item, id then every metric (empty when not computed), then error.
public enum ReportCSV {
    /// The CSV text (RFC 4180 quoting).
    public static func render(_ report: EvaluationReport) -> String {
        let extraKeys = Set(report.items.flatMap { $0.extra.keys }).sorted()
        let numberKeys = Set(report.items.flatMap { $0.numbers.keys }).sorted()
        var lines = [(["id"] + Metric.allCases.map(\.rawValue) + numberKeys + extraKeys + ["error"]).joined(separator: ",")]
        for item in report.items {
            var fields = [field(item.id)]
            for m in Metric.allCases {
                if let v = item.values[m] { fields.append(v.isFinite ? "\(v)" : (v > 0 ? "inf" : "nan")) } else { fields.append("") }
            }
            fields += numberKeys.map { key in item.numbers[key].map { $0.isFinite ? "\($0)" : "" } ?? "" }
            fields += extraKeys.map { field(item.extra[$0] ?? "") }
            fields.append(field(item.error ?? ""))
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
