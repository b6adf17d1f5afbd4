// Writes `report.html`: a static page that opens from disk (no server, no external resource):
// aggregates and baselines, then one table row per item with the prediction and target side by
// side (relative paths into the report folder) and every metric; clicking a metric's header sorts
// the rows by it (a few lines of inline JavaScript).
import Foundation

/// The HTML report.
public enum ReportHTML {
    /// The page.
    public static func render(_ report: EvaluationReport, title: String = "cn-eval report") -> String {
        let metrics = Metric.allCases
        var html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
        <style>
        body { font-family: sans-serif; margin: 16px; }
        table { border-collapse: collapse; margin-bottom: 16px; }
        th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: right; }
        th.sortable { cursor: pointer; background: #eef; }
        td.id, th.id { text-align: left; }
        td img { width: 128px; height: auto; display: block; image-rendering: pixelated; }
        td.error { color: #b00; text-align: left; }
        </style></head><body>
        <h1>\(escape(title))</h1>
        <p>\(report.items.count) items, \(report.scoredItems.count) scored. Means with bootstrap 95% intervals; arrows show which direction is better.</p>
        <table id="aggregate"><tr><th class="id">set</th>
        """
        let numberKeys = report.numberAggregates.keys.sorted()
        for m in metrics { html += "<th>\(m.rawValue) \(m.higherIsBetter ? "&uarr;" : "&darr;")</th>" }
        for key in numberKeys { html += "<th>\(escape(key))</th>" }
        html += "</tr>\n"
        func cell(_ a: MeanInterval?) -> String {
            guard let a else { return "<td>not computed</td>" }
            return "<td>\(format(a.mean)) [\(format(a.lower)), \(format(a.upper))] n=\(a.count)</td>"
        }
        func aggregateRow(_ name: String, _ table: [Metric: MeanInterval], _ numbers: [String: MeanInterval]) -> String {
            var row = "<tr><td class=\"id\">\(escape(name))</td>"
            for m in metrics { row += cell(table[m]) }
            for key in numberKeys { row += cell(numbers[key]) }
            return row + "</tr>\n"
        }
        html += aggregateRow("predictions", report.aggregate, report.numberAggregates)
        for name in report.baselines.keys.sorted() { html += aggregateRow("baseline: " + name, report.baselines[name]!, [:]) }
        html += "</table>\n"
        if !report.notComputed.isEmpty {
            html += "<ul>" + report.notComputed.keys.sorted { $0.rawValue < $1.rawValue }
                .map { "<li>\($0.rawValue) not computed: \(escape(report.notComputed[$0]!))</li>" }.joined() + "</ul>\n"
        }
        html += "<table id=\"items\"><thead><tr><th class=\"id sortable\" data-col=\"0\">id</th><th>prediction</th><th>target</th>"
        for (i, m) in metrics.enumerated() {
            html += "<th class=\"sortable\" data-col=\"\(i + 3)\">\(m.rawValue) \(m.higherIsBetter ? "&uarr;" : "&darr;")</th>"
        }
        for (i, key) in numberKeys.enumerated() {
            html += "<th class=\"sortable\" data-col=\"\(i + 3 + metrics.count)\">\(escape(key))</th>"
        }
        html += "<th>error</th></tr></thead><tbody>\n"
        for item in report.items {
            html += "<tr class=\"item\"><td class=\"id\" data-v=\"\(escape(item.id))\">\(escape(item.id))</td>"
            html += "<td>" + (item.predictionImage.map { "<img src=\"\(escape(percentEncoded($0)))\" alt=\"prediction \(escape(item.id))\">" } ?? "") + "</td>"
            html += "<td>" + (item.targetImage.map { "<img src=\"\(escape(percentEncoded($0)))\" alt=\"target \(escape(item.id))\">" } ?? "") + "</td>"
            for v in metrics.map({ item.values[$0] }) + numberKeys.map({ item.numbers[$0] }) {
                if let v {
                    html += "<td data-v=\"\(v.isFinite ? "\(v)" : (v > 0 ? "Infinity" : "NaN"))\">\(format(v))</td>"
                } else {
                    html += "<td data-v=\"\">&ndash;</td>"
                }
            }
            html += "<td class=\"error\">\(escape(item.error ?? ""))</td></tr>\n"
        }
        html += """
        </tbody></table>
        <script>
        (function () {
          var table = document.getElementById('items'), state = {};
          table.querySelectorAll('th.sortable').forEach(function (th) {
            th.addEventListener('click', function () {
              var col = +th.dataset.col, dir = state[col] = -(state[col] || 1), body = table.tBodies[0];
              var rows = Array.prototype.slice.call(body.rows);
              rows.sort(function (a, b) {
                var x = a.cells[col].dataset.v, y = b.cells[col].dataset.v;
                if (x === '' || y === '') return (x === '') - (y === '');
                var p = parseFloat(x), q = parseFloat(y);
                var c = (col === 0 || isNaN(p) || isNaN(q)) ? (x < y ? -1 : x > y ? 1 : 0) : (p - q);
                return dir * c;
              });
              rows.forEach(function (r) { body.appendChild(r); });
            });
          });
        })();
        </script>
        </body></html>

        """
        return html
    }

    static func format(_ v: Double) -> String {
        guard v.isFinite else { return v > 0 ? "inf" : "nan" }
        return String(format: "%.4f", v)
    }

    /// HTML text escaping.
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// A relative path as a URL path (spaces, '#', '%', '?' ... encoded).
    static func percentEncoded(_ path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%;")
        return path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
    }
}
