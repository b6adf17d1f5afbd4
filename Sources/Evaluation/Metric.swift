/// The metrics of a report, under the names `report.json` uses (its contract: issue 12).
public enum Metric: String, Sendable, CaseIterable, Codable {
    /// Peak signal-to-noise ratio in dB (data range 255), `PSNR`.
    case psnr
    /// scikit-image's default SSIM (7x7 uniform, sample covariance), `SSIM.scikitImage`.
    case ssim
    /// Wang et al.'s Gaussian SSIM (sigma 1.5, 11 taps, population covariance), `SSIM.gaussian`.
    case ssimGaussian = "ssim_gaussian"
    /// LPIPS v0.1 AlexNet, `LPIPS`.
    case lpips
    /// CLIP ViT-L/14 image-image cosine, `CLIPScore`.
    case clipI = "clip_i"
    /// CLIP ViT-L/14 image-text cosine, `CLIPScore`.
    case clipT = "clip_t"
    /// DINO ViT-S/16 class-token cosine, `DINOScore`.
    case dinoI = "dino_i"

    /// Whether a larger value means a better prediction (false only for LPIPS).
    public var higherIsBetter: Bool { self != .lpips }
}

/// One metric's value per metric for one scored pair; a metric absent from `values` was not computed.
public typealias MetricValues = [Metric: Double]
