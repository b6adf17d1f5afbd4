import Support

/// A fully connected map over the last dimension (PyTorch `F.linear`): x [..., in],
/// weight [out, in], bias [out] -> x W^T + b of shape [..., out]; rows split across
/// `ComputeThreads` by `parallelSgemm`.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
    let n = weight.shape[0], k = weight.shape[1]
    precondition(x.shape.last == k, "linear expects last dimension \(k), got \(x.shape)")
    let m = x.count / k
    var outShape = x.shape
    outShape[outShape.count - 1] = n
    var y = Tensor(uninitializedShape: outShape)
    x.data.withUnsafeBufferPointer { xp in
        weight.data.withUnsafeBufferPointer { wp in
            y.data.withUnsafeMutableBufferPointer { yp in
                if let bias {
                    bias.data.withUnsafeBufferPointer { bp in
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

/// The backward pass of `linear`: ADDS dW = dy^T x into `weightGradient` and db = sum(dy)
/// into `biasGradient` (when given) and returns dx = dy W.
public func linearBackward(_ x: Tensor, weight: Tensor, _ dy: Tensor,
                           weightGradient: inout Tensor, biasGradient: inout Tensor?) -> Tensor {
    let n = weight.shape[0], k = weight.shape[1], m = x.count / k
    precondition(dy.count == m * n, "linearBackward: gradient \(dy.shape) does not match output")
    var dx = Tensor(uninitializedShape: x.shape)
    dy.data.withUnsafeBufferPointer { dyp in
        weight.data.withUnsafeBufferPointer { wp in
            dx.data.withUnsafeMutableBufferPointer { dxp in
                parallelSgemm(m: m, n: k, k: n, a: dyp.baseAddress!, lda: n, b: wp.baseAddress!, ldb: k,
                              c: dxp.baseAddress!, ldc: k)
            }
        }
        x.data.withUnsafeBufferPointer { xp in
            weightGradient.data.withUnsafeMutableBufferPointer { gp in
                parallelSgemm(transA: true, m: n, n: k, k: m, a: dyp.baseAddress!, lda: n,
                              b: xp.baseAddress!, ldb: k, beta: 1, c: gp.baseAddress!, ldc: k)
            }
        }
        if biasGradient != nil {
            biasGradient!.data.withUnsafeMutableBufferPointer { bp in
                for r in 0..<m {
                    let row = dyp.baseAddress! + r * n
                    for j in 0..<n { bp[j] += row[j] }
                }
            }
        }
    }
    return dx
}
