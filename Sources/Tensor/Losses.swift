/// Mean of all elements (PyTorch `x.mean()`), accumulated in double precision.
public func mean(_ x: Tensor) -> Float {
    var s = 0.0
    for v in x.data { s += Double(v) }
    return Float(s / Double(max(x.count, 1)))
}

/// Gradient of `mean` for an upstream scalar gradient g: g / n everywhere.
public func meanBackward(shape: [Int], _ g: Float = 1) -> Tensor {
    let n = shape.reduce(1, *)
    return Tensor(shape: shape, repeating: g / Float(max(n, 1)))
}

/// Mean squared error, mean((pred - target)^2) (PyTorch `F.mse_loss`, reduction 'mean'; ldm's
/// `l2` loss of the diffusion objective). Returns the loss and d loss / d pred = 2 (pred - target) / n.
public func mseLoss(_ prediction: Tensor, _ target: Tensor) -> (loss: Float, gradient: Tensor) {
    precondition(prediction.shape == target.shape, "MSE of \(prediction.shape) against \(target.shape)")
    var grad = Tensor(shape: prediction.shape)
    var s = 0.0
    let scale = 2 / Float(max(prediction.count, 1))
    for i in 0..<prediction.count {
        let d = prediction.data[i] - target.data[i]
        s += Double(d) * Double(d)
        grad.data[i] = scale * d
    }
    return (Float(s / Double(max(prediction.count, 1))), grad)
}
