/// How layers built on this task draw their initial weights. Inside
/// `Initialization.placeholders { ... }` PyTorch-style random initialisation is skipped and
/// weights start at zero: for models whose every weight is about to be loaded from a checkpoint,
/// where drawing 859M uniform values for the UNet alone costs seconds and decides nothing.
/// Scoped per task (a `TaskLocal`), like `InferenceMode`.
public enum Initialization {
    @TaskLocal static var usesPlaceholders = false

    /// Whether random initialisation is skipped on this task.
    public static var skipsRandomDraws: Bool { usesPlaceholders }

    /// Runs `body` with zero placeholder weights instead of random draws.
    public static func placeholders<T>(_ body: () throws -> T) rethrows -> T {
        try $usesPlaceholders.withValue(true, operation: body)
    }
}
