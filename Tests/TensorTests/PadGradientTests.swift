import Testing
import Support
@testable import Tensor

/// `pad2d` against its definition and its backward pass against finite differences.
@Suite("pad2d") struct PadGradientTests {
    @Test func placesValuesAndZeros() {
        let x = Tensor(shape: [1, 1, 2, 3], data: [1, 2, 3, 4, 5, 6])
        let y = pad2d(x, top: 1, bottom: 0, left: 0, right: 2)
        #expect(y.shape == [1, 1, 3, 5])
        #expect(y.data == [0, 0, 0, 0, 0,
                           1, 2, 3, 0, 0,
                           4, 5, 6, 0, 0])
        #expect(pad2dBackward(y, top: 1, bottom: 0, left: 0, right: 2) == x)
    }

    @Test func asymmetricGradient() {
        let x = Box(randomTensor([2, 3, 4, 5], seed: 41))
        gradientCheck("pad2d (0,1,0,1)", variables: [.box("x", x)], outputShape: [2, 3, 5, 6],
                      forward: { pad2d(x.t, bottom: 1, right: 1) },
                      run: { g in [pad2dBackward(g, bottom: 1, right: 1).data] })
        let z = Box(randomTensor([1, 2, 3, 3], seed: 42))
        gradientCheck("pad2d all sides", variables: [.box("z", z)], outputShape: [1, 2, 6, 7],
                      forward: { pad2d(z.t, top: 2, bottom: 1, left: 3, right: 1) },
                      run: { g in [pad2dBackward(g, top: 2, bottom: 1, left: 3, right: 1).data] })
    }
}
