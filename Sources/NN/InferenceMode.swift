/// Inference mode (PyTorch `torch.inference_mode`): inside `InferenceMode.run { ... }` layers
/// keep no activations for a backward pass and, since gradients are allocated only by a
/// backward pass, no gradient memory is touched. Scoped per task (a `TaskLocal`), so a model used
/// for training on one task and for sampling on another does not mix the two.
public enum InferenceMode {
    @TaskLocal static var isActive = false

    /// Whether layers should keep activations for a backward pass (false inside `run`).
    public static var keepsActivations: Bool { !isActive }

    /// Runs `body` in inference mode.
    public static func run<T>(_ body: () throws -> T) rethrows -> T {
        try $isActive.withValue(true, operation: body)
    }
}
