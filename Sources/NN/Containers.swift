import Tensor

/// PyTorch `nn.ModuleList`: modules of one type named "0", "1", ... as children.
public final class ModuleList<Element: Module>: Module, RandomAccessCollection {
    /// The modules in order.
    public let items: [Element]

    /// Wraps the modules in order.
    public init(_ items: [Element]) { self.items = items }

    public var children: [(String, any Module)] { items.enumerated().map { (String($0.offset), $0.element) } }
    public var startIndex: Int { items.startIndex }
    public var endIndex: Int { items.endIndex }
    public subscript(position: Int) -> Element { items[position] }
}

/// PyTorch `nn.Sequential`: layers named "0", "1", ... applied in order; backward runs them in
/// reverse.
public final class Sequential: UnaryLayer {
    /// The layers in order.
    public let layers: [any UnaryLayer]

    /// Wraps the layers in order.
    public init(_ layers: [any UnaryLayer]) { self.layers = layers }

    public var children: [(String, any Module)] { layers.enumerated().map { (String($0.offset), $0.element) } }

    /// Applies every layer in order.
    public func forward(_ x: Tensor) -> Tensor { layers.reduce(x) { $1.forward($0) } }

    /// Back-propagates through every layer in reverse order.
    public func backward(_ dy: Tensor) -> Tensor { layers.reversed().reduce(dy) { $1.backward($0) } }
}

/// PyTorch `nn.SiLU` as a layer: x * sigmoid(x).
public final class SiLU: UnaryLayer {
    private var input: Tensor?

    /// A SiLU activation.
    public init() {}

    /// x * sigmoid(x).
    public func forward(_ x: Tensor) -> Tensor {
        if InferenceMode.keepsActivations { input = x }
        return silu(x)
    }

    /// dx = dy * d/dx silu(x).
    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input else { preconditionFailure("SiLU.backward called before forward") }
        input = nil
        return siluBackward(x, dy)
    }
}
