/// Per-row (layer norm) or per-(image, group) (group norm) mean and reciprocal standard
/// deviation that a normalisation's forward pass computes and its backward pass reuses.
public struct NormStatistics: Sendable {
    /// The means.
    public var mean: [Float]
    /// 1 / sqrt(variance + eps).
    public var rstd: [Float]

    /// Wraps computed statistics.
    public init(mean: [Float], rstd: [Float]) {
        self.mean = mean
        self.rstd = rstd
    }
}
