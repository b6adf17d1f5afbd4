import ArgumentParser
import Pipeline
import StageCLI
import TestSupport

/// `cn-test-stage`: runs the synthetic `noise` stage through the real runner, to measure the
/// runner's overhead and to crash-test resume (kill it, run it again, compare).
struct TestStage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cn-test-stage",
        abstract: "Run a synthetic stage (deterministic noise files + one record per item) through the stage runner.",
        discussion: """
            Used by scripts/bench/runner and the crash-resume tests. Every item writes noise/item-N.bin \
            from its own seeded stream and records one row, so two runs with the same seed leave the \
            same bytes and rows, however often they are killed in between.
            """)

    @OptionGroup var common: CommonOptions

    @Option(help: "Items to list.")
    var items = 500

    @Option(help: "Bytes written per item.")
    var bytes = 16_384

    @Option(help: "SHA-256 passes per item (CPU cost per item).")
    var rounds = 1

    @Option(help: "Fail every item whose index is a multiple of N (0: none).")
    var failEvery = 0

    @Option(help: "Trap the whole process (integer overflow) while processing the item of this index.")
    var crashItem: Int?

    @Option(help: "Never finish the item of this index (a stuck load).")
    var hangItem: Int?

    func run() throws {
        let noise = NoiseStage(items: items, bytesPerItem: bytes, rounds: rounds, failEvery: failEvery)
        let stage = FaultyStage(inner: noise, crashItem: crashItem, hangItem: hangItem)
        try StageMain.run(stage, executable: "cn-test-stage", options: common, createsWorkdir: true)
    }
}

StageMain.main(TestStage.self)
