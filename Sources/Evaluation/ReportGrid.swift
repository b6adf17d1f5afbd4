// The PNG grid of the best and worst items: prediction | target pairs labelled with the ranking
// metric, drawn with Imaging's `ContactSheet`.
import Imaging

/// Renders the best and worst items of a report.
public enum ReportGrid {
    /// `count` best then `count` worst items by `metric` (fewer when the report is small), two
    /// pairs per row; `images` gives each item's (prediction, target).
    public static func render(_ report: EvaluationReport, metric: Metric, count: Int = 4,
                              images: (ReportItem) -> (MetricImage, MetricImage)?) -> RGBAImage? {
        render(ranked: report.ranked(by: metric), label: metric.rawValue, value: { $0.values[metric] }, count: count, images: images)
    }

    /// The grid of `ranked` (best first): its first `count` and last `count` items, labelled
    /// `label` and the item's `value`.
    public static func render(ranked: [ReportItem], label: String, value: (ReportItem) -> Double?, count: Int = 4,
                              images: (ReportItem) -> (MetricImage, MetricImage)?) -> RGBAImage? {
        guard !ranked.isEmpty else { return nil }
        let best = Array(ranked.prefix(count))
        let worst = Array(ranked.suffix(min(count, max(0, ranked.count - best.count))).reversed())
        var tiles: [(image: RGBAImage, label: String)] = []
        for (tag, list) in [("best", best), ("worst", worst)] {
            for item in list {
                guard let (prediction, target) = images(item) else { continue }
                let shown = value(item).map { ReportHTML.format($0) } ?? "-"
                tiles.append((prediction.rgbaImage, "\(tag) \(label) \(shown) \(item.id)"))
                tiles.append((target.rgbaImage, "target \(item.id)"))
            }
        }
        guard !tiles.isEmpty else { return nil }
        return ContactSheet(tileWidth: 160, tileHeight: 160, columns: 4, spacing: 6, labelScale: 1).render(tiles)
    }
}
