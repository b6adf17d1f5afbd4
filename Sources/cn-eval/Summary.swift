import Evaluation
import Foundation

/// The one-line summary a subcommand prints.
enum Summary {
    static func line(_ command: String, _ report: EvaluationReport, seconds: Double, out: String) -> String {
        let errors = report.items.count - report.scoredItems.count
        var summary = "\(command): \(report.scoredItems.count) scored, \(errors) item error(s)"
        for m in Metric.allCases {
            if let a = report.aggregate[m] { summary += String(format: ", %@ %.4f", m.rawValue, a.mean) }
        }
        for name in report.baselines.keys.sorted() {
            if let m = report.rankingMetric, let a = report.baselines[name]?[m] { summary += String(format: "; %@ %@ %.4f", name, m.rawValue, a.mean) }
        }
        return summary + String(format: " in %.1fs; wrote %@/report.{json,csv,html}", seconds, out)
    }
}
