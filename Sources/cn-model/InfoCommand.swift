import ArgumentParser
import Diffusion
import Foundation
import NN
import Tensor

/// `cn-model info`: what a checkpoint holds.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Show a checkpoint's variant, parts, parameter counts and stored dtypes.")

    @OptionGroup var model: CheckpointOptions

    func run() throws {
        let source = try model.source()
        let summary = CheckpointSummary(source: source)
        print("checkpoint: \(model.checkpoint)")
        print("variant:    \(summary.variant?.rawValue ?? "none (no UNet)")")
        print("dtypes:     \(summary.dtypes.isEmpty ? "F32" : summary.dtypes.map { "\($0.key) \($0.value)" }.sorted().joined(separator: ", "))")
        print("parts:")
        for part in summary.parts {
            let count = part.parameters.formatted(.number.grouping(.automatic))
            print("  \(part.name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(part.prefix.padding(toLength: 32, withPad: " ", startingAt: 0)) "
                  + "\(count.leftPadded(to: 13)) parameters in \(part.tensors) tensors")
        }
        if summary.otherTensors > 0 { print("  other          \(summary.otherTensors) tensors (schedule buffers, ...)") }
        print("ema:        \(summary.hasEMA ? "present (use --ema)" : "absent")")
        print("blas:       OpenBLAS \(BLASKernels.coreName) kernels")
    }
}

extension String {
    /// Right-aligns the text in `width` columns.
    func leftPadded(to width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
