// Follows scikit-image `skimage/metrics/simple_metrics.py` (`peak_signal_noise_ratio`,
// `mean_squared_error`): MSE in float64 over every sample, 10 log10(data_range^2 / MSE).

/// Peak signal-to-noise ratio, exactly as `skimage.metrics.peak_signal_noise_ratio`.
///
/// Data range: 255 for 8-bit images (scikit-image's default for `uint8`, `dtype_range`), and 1
/// for float images in [0, 1] (scikit-image requires `data_range` for floats; pass 1). Identical
/// images give +infinity, as scikit-image does (numpy's division by zero).
public enum PSNR {
    /// PSNR of two 8-bit images of the same shape (all channels together), data range 255.
    public static func compute(_ prediction: MetricImage, _ target: MetricImage) throws -> Double {
        try MetricImage.checkComparable(prediction, target)
        var sum = 0.0
        for i in 0..<target.pixels.count {
            let d = Double(target.pixels[i]) - Double(prediction.pixels[i])
            sum += d * d
        }
        return fromMSE(sum / Double(target.pixels.count), dataRange: 255)
    }

    /// PSNR of two float arrays of the same length with the given data range (1 for [0, 1]).
    public static func compute(_ prediction: [Double], _ target: [Double], dataRange: Double = 1) -> Double {
        precondition(prediction.count == target.count && !target.isEmpty, "PSNR needs two non-empty arrays of the same length")
        var sum = 0.0
        for i in 0..<target.count {
            let d = target[i] - prediction[i]
            sum += d * d
        }
        return fromMSE(sum / Double(target.count), dataRange: dataRange)
    }

    /// 10 log10(range^2 / mse); +infinity when mse is 0.
    static func fromMSE(_ mse: Double, dataRange: Double) -> Double {
        mse == 0 ? .infinity : 10 * log10(dataRange * dataRange / mse)
    }
}

import Foundation
