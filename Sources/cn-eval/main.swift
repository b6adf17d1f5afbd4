import ArgumentParser
import StageCLI
import Tensor

/// `cn-eval`: the bundled evaluator (issue 12).
struct CNEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cn-eval",
        abstract: "Score novel views and customizations: PSNR, SSIM (scikit-image and Gaussian), LPIPS, CLIP-I, CLIP-T, DINO-I.",
        discussion: """
            Every subcommand writes report.json, report.csv, grid.png (best and worst items) and \
            report.html (opens from disk) into --out. A metric whose weights are not given is \
            reported as not computed (null), never as a number.
            """,
        subcommands: [CompareCommand.self, ViewsCommand.self, CustomizeCommand.self, PoseCheckCommand.self])
}

BLASKernels.useDetectedKernels()
StageMain.main(CNEval.self)
