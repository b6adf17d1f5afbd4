import Tensor

/// A node of the layer tree (PyTorch `nn.Module`): parameters it holds itself and named child
/// modules. Names follow the reference module tree (ldm `openaimodel.py`, `attention.py`), so
/// the recursive `namedParameters()` yields checkpoint keys such as
/// `input_blocks.4.1.transformer_blocks.0.attn2.to_k.weight` without any key being assembled by hand.
public protocol Module: AnyObject {
    /// The parameters registered on this module itself, in order (PyTorch `_parameters`).
    var localParameters: [(String, Parameter)] { get }
    /// The child modules in registration order, under their attribute names (PyTorch `_modules`).
    var children: [(String, any Module)] { get }
}

extension Module {
    /// No parameters of its own.
    public var localParameters: [(String, Parameter)] { [] }
    /// No children.
    public var children: [(String, any Module)] { [] }

    /// Every parameter of this module and its descendants under its dotted path (PyTorch
    /// `named_parameters`), prefixed with `prefix` + "." when a prefix is given.
    public func namedParameters(prefix: String = "") -> [(String, Parameter)] {
        let dot = prefix.isEmpty ? "" : prefix + "."
        var list = localParameters.map { (dot + $0.0, $0.1) }
        for (name, child) in children {
            list += child.namedParameters(prefix: dot + name)
        }
        return list
    }

    /// Every module of the tree (this one first, under `prefix`), depth first (PyTorch `named_modules`).
    public func namedModules(prefix: String = "") -> [(String, any Module)] {
        let dot = prefix.isEmpty ? "" : prefix + "."
        var list: [(String, any Module)] = [(prefix, self)]
        for (name, child) in children { list += child.namedModules(prefix: dot + name) }
        return list
    }

    /// The parameters alone, in a stable order.
    public var parameters: [Parameter] { namedParameters().map(\.1) }

    /// The number of scalar weights in the tree.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// Clears every parameter's gradient.
    public func zeroGradients() { for p in parameters { p.zeroGradient() } }
}

/// A module with one tensor in and one out, trainable by hand-written backward passes.
public protocol UnaryLayer: Module {
    /// Runs the layer, keeping what `backward` needs unless in inference mode.
    func forward(_ x: Tensor) -> Tensor
    /// ADDS parameter gradients into `Parameter.grad` and returns the input gradient.
    func backward(_ dy: Tensor) -> Tensor
}
