import Support

/// A fully connected layer y = x W^T + b (PyTorch `nn.Linear`: weight [out, in], bias [out]),
/// applied to the last dimension of an input of any rank ([..., in] -> [..., out]).
/// Forward caches its input; `backward` accumulates dW, db and returns dx.
public final class Linear: Layer {
    /// Weight [outFeatures, inFeatures].
    public let weight: Parameter
    /// Bias [outFeatures], absent for ldm's bias-free to_q / to_k / to_v.
    public let bias: Parameter?
    /// Input width.
    public let inFeatures: Int
    /// Output width.
    public let outFeatures: Int
    private var input: Tensor?

    /// A layer with PyTorch's default initialisation drawn from `random`.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, random: inout SeededRandom) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = Parameter(torchDefaultInit(shape: [outFeatures, inFeatures], fanIn: inFeatures, random: &random))
        self.bias = bias ? Parameter(torchDefaultInit(shape: [outFeatures], fanIn: inFeatures, random: &random)) : nil
    }

    public func namedParameters() -> [(String, Parameter)] {
        var list = [("weight", weight)]
        if let bias { list.append(("bias", bias)) }
        return list
    }

    /// y = x W^T + b over the last dimension.
    public func forward(_ x: Tensor) -> Tensor {
        precondition(x.shape.last == inFeatures, "Linear expects last dimension \(inFeatures), got \(x.shape)")
        input = x
        let m = x.count / inFeatures
        var outShape = x.shape
        outShape[outShape.count - 1] = outFeatures
        var y = Tensor(uninitializedShape: outShape)
        let n = outFeatures, k = inFeatures
        x.data.withUnsafeBufferPointer { xp in
            weight.value.data.withUnsafeBufferPointer { wp in
                y.data.withUnsafeMutableBufferPointer { yp in
                    if let bias {
                        bias.value.data.withUnsafeBufferPointer { bp in
                            for r in 0..<m { (yp.baseAddress! + r * n).update(from: bp.baseAddress!, count: n) }
                        }
                    }
                    parallelSgemm(transB: true, m: m, n: n, k: k, a: xp.baseAddress!, lda: k,
                                  b: wp.baseAddress!, ldb: k, beta: bias == nil ? 0 : 1,
                                  c: yp.baseAddress!, ldc: n)
                }
            }
        }
        return y
    }

    /// Accumulates dW += dy^T x, db += sum(dy) and returns dx = dy W.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input else { preconditionFailure("Linear.backward called before forward") }
        let m = x.count / inFeatures, n = outFeatures, k = inFeatures
        precondition(dy.count == m * n, "Linear.backward: gradient \(dy.shape) does not match output")
        var dx = Tensor(uninitializedShape: x.shape)
        dy.data.withUnsafeBufferPointer { dyp in
            weight.value.data.withUnsafeBufferPointer { wp in
                dx.data.withUnsafeMutableBufferPointer { dxp in
                    parallelSgemm(m: m, n: k, k: n, a: dyp.baseAddress!, lda: n, b: wp.baseAddress!, ldb: k,
                                  c: dxp.baseAddress!, ldc: k)
                }
            }
            x.data.withUnsafeBufferPointer { xp in
                weight.grad.data.withUnsafeMutableBufferPointer { gp in
                    parallelSgemm(transA: true, m: n, n: k, k: m, a: dyp.baseAddress!, lda: n,
                                  b: xp.baseAddress!, ldb: k, beta: 1, c: gp.baseAddress!, ldc: k)
                }
            }
            if let bias {
                bias.grad.data.withUnsafeMutableBufferPointer { bp in
                    for r in 0..<m {
                        let row = dyp.baseAddress! + r * n
                        for j in 0..<n { bp[j] += row[j] }
                    }
                }
            }
        }
        input = nil
        return dx
    }
}
