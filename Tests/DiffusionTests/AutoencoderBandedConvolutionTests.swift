import NN
import Support
import Tensor
import Testing
@testable import Diffusion

/// The VAE's banded convolution against Tensor's plain `conv2d` (and `upsampleNearest2x` before it).
@Suite("Banded convolution") struct AutoencoderBandedConvolutionTests {
    func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
        precondition(a.shape == b.shape, "\(a.shape) vs \(b.shape)")
        return zip(a.data, b.data).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    @Test(arguments: [
        // (batch, channels in, out, height, width, kernel, stride, padding, upsampled)
        (1, 3, 8, 17, 13, 3, 1, 1, false),
        (2, 5, 4, 16, 9, 3, 1, 1, true),
        (1, 6, 6, 9, 8, 3, 2, 0, false),
        (3, 4, 7, 5, 6, 1, 1, 0, false),
        (1, 64, 32, 80, 80, 3, 1, 1, false),
    ])
    func matchesPlainConvolution(_ c: (Int, Int, Int, Int, Int, Int, Int, Int, Bool)) {
        let (batch, cin, cout, h, w, kernel, stride, padding, upsampled) = c
        var random = SeededRandom(seed: UInt64(cin * 31 + h))
        let conv = Conv2d(cin, cout, kernel: kernel, stride: stride, padding: padding, random: &random)
        let x = Tensor.randomNormal(shape: [batch, cin, h, w], random: &random)
        let plain = conv2d(upsampled ? upsampleNearest2x(x) : x, weight: conv.weight.value, bias: conv.bias?.value,
                           stride: stride, padding: padding)
        let banded = bandedConv2d(x, conv, upsampled: upsampled)
        #expect(banded.shape == plain.shape)
        #expect(maxDifference(banded, plain) < 1e-5, "banded conv differs from conv2d for \(c)")
    }
}
