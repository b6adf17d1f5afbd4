/// "Did you mean ...": the accepted key closest to a mistyped one, by the optimal string alignment
/// distance (Levenshtein's edits plus Damerau's transposition of two neighbours, so `veiws` is
/// one edit from `views`), when it is close enough to be the likely intent.
public enum KeySuggestion {
    /// The accepted key nearest to `key` (at most a third of its letters changed, at least one), or nil.
    public static func nearest(to key: String, in accepted: [String]) -> String? {
        let limit = max(1, key.count / 3)
        let scored = accepted.map { ($0, distance(key.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= limit else { return nil }
        return best.0
    }

    /// The number of single-character insertions, deletions, substitutions and transpositions
    /// of neighbours from `a` to `b` (no substring edited twice).
    public static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { table[i][0] = i }
        for j in 0...y.count { table[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                var best = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { best = min(best, table[i - 2][j - 2] + 1) }
                table[i][j] = best
            }
        }
        return table[x.count][y.count]
    }

    /// The phrase to append to an unknown-key message: " (did you mean 'views'?)" or "".
    public static func phrase(for key: String, in accepted: [String]) -> String {
        nearest(to: key, in: accepted).map { " (did you mean '\($0)'?)" } ?? ""
    }
}
