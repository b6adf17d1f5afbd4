import Tensor

/// A set of parameters sharing optimiser settings (PyTorch's param_groups). CustomNet trains its
/// text key/value layers and Zero-1-to-3 its cc_projection at 10x the base learning rate:
/// `learningRateMultiplier` expresses that.
public struct ParameterGroup {
    /// A label for logs.
    public var name: String
    /// The parameters, in a stable order.
    public var parameters: [Parameter]
    /// Multiplies the scheduled learning rate for this group.
    public var learningRateMultiplier: Float
    /// Decoupled weight decay coefficient (PyTorch AdamW default 0.01).
    public var weightDecay: Float

    /// A group with the given settings.
    public init(name: String, parameters: [Parameter], learningRateMultiplier: Float = 1, weightDecay: Float = 0.01) {
        self.name = name
        self.parameters = parameters
        self.learningRateMultiplier = learningRateMultiplier
        self.weightDecay = weightDecay
    }

    /// Splits named parameters into groups: each rule (name fragment, multiplier) claims the
    /// parameters whose name contains the fragment (first matching rule wins); the rest form a
    /// "base" group at multiplier 1. E.g. `[("to_k_text", 10), ("to_v_text", 10)]` for CustomNet.
    public static func partition(_ named: [(String, Parameter)], rules: [(fragment: String, multiplier: Float)],
                                 weightDecay: Float = 0.01) -> [ParameterGroup] {
        var base: [Parameter] = []
        var claimed = [[Parameter]](repeating: [], count: rules.count)
        for (name, p) in named {
            if let i = rules.firstIndex(where: { name.contains($0.fragment) }) { claimed[i].append(p) } else { base.append(p) }
        }
        var groups = [ParameterGroup(name: "base", parameters: base, weightDecay: weightDecay)]
        for (i, rule) in rules.enumerated() where !claimed[i].isEmpty {
            groups.append(ParameterGroup(name: rule.fragment, parameters: claimed[i],
                                         learningRateMultiplier: rule.multiplier, weightDecay: weightDecay))
        }
        return groups
    }
}
