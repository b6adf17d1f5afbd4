import Foundation

/// Sinusoidal timestep embedding, ldm `modules/diffusionmodules/util.py: timestep_embedding`
/// (repeat_only False): half = dim / 2, freqs_i = exp(-ln(maxPeriod) * i / half),
/// emb = [cos(t * freqs), sin(t * freqs)] (cos FIRST), zero-padded by one column when dim is odd.
/// Returns [N, dim] for N timesteps (fractional timesteps allowed).
public func timestepEmbedding(_ timesteps: [Float], dim: Int, maxPeriod: Float = 10000) -> Tensor {
    let half = dim / 2
    var y = Tensor(shape: [timesteps.count, dim])
    for (n, t) in timesteps.enumerated() {
        for i in 0..<half {
            let freq = Float(exp(-log(Double(maxPeriod)) * Double(i) / Double(half)))
            let arg = t * freq
            y.data[n * dim + i] = cos(arg)
            y.data[n * dim + half + i] = sin(arg)
        }
    }
    return y
}

/// Gradient of `timestepEmbedding` with respect to the timesteps: sum_i dy_cos * (-f_i sin(t f_i))
/// + dy_sin * (f_i cos(t f_i)). (Timesteps are data in training; this exists for completeness.)
public func timestepEmbeddingBackward(_ timesteps: [Float], dim: Int, maxPeriod: Float = 10000, _ dy: Tensor) -> [Float] {
    let half = dim / 2
    return timesteps.enumerated().map { n, t in
        var g: Float = 0
        for i in 0..<half {
            let freq = Float(exp(-log(Double(maxPeriod)) * Double(i) / Double(half)))
            g += dy.data[n * dim + i] * (-freq * sin(t * freq)) + dy.data[n * dim + half + i] * (freq * cos(t * freq))
        }
        return g
    }
}
