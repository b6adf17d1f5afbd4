import ArgumentParser
import CorpusStages
import Foundation
import Manifest
import Pipeline
import StageCLI

/// `cn-shard`: samples -> splits -> WebDataset shards (or CustomNet / zero123 folders).
struct Shard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cn-shard",
        abstract: "Assemble training samples, split them by source, and write shards or exports.",
        discussion: """
            webdataset (default): WORKDIR/shards/{split}-{000000}.tar with target.png, ref.png, concat.png, \
            txt and json per sample, an index {split}-{000000}.json beside each shard written after the tar \
            is closed; read them with webdataset.WebDataset("shards/train-{000000..000009}.tar"). A rerun \
            keeps intact shards and rebuilds only missing or damaged ones. customnet: CustomNet's sample \
            folders under WORKDIR/export/customnet. zero123: views_release under WORKDIR/export/zero123.
            """)

    @OptionGroup var common: CommonOptions

    @Option(help: "webdataset, customnet or zero123.")
    var format = "webdataset"

    func validate() throws {
        guard ["webdataset", "customnet", "zero123"].contains(format) else { throw ValidationError("--format must be webdataset, customnet or zero123") }
    }

    func run() throws {
        let pipeline = try common.pipeline()
        let manifest = try ManifestStore.openExisting(workdir: common.workdirURL)
        let options = common.runOptions(pipeline: pipeline)
        let runID = try manifest.write { db in
            try RunLog.start(db, RunLog.Invocation(executable: "cn-shard", stage: "shard", arguments: CommandLine.arguments,
                                                   configHash: pipeline?.hash, seed: options.seed,
                                                   partition: options.partition.description, jobs: options.jobs), now: Timestamp.now())
        }
        do {
            try write(format: format, manifest: manifest, pipeline: pipeline)
            try manifest.write { db in try RunLog.finish(db, run: runID, exitStatus: 0, pending: 0, now: Timestamp.now()) }
        } catch {
            try? manifest.write { db in try RunLog.finish(db, run: runID, exitStatus: 1, pending: 0, now: Timestamp.now()) }
            throw error
        }
    }

    private func write(format: String, manifest: ManifestStore, pipeline: PipelineFile?) throws {
        switch format {
        case "customnet":
            let count = try ExportJob(workdir: common.workdirURL, manifest: manifest).customNet()
            StageMain.printLine("shard: wrote \(count) CustomNet sample folders under \(common.workdir)/export/customnet")
        case "zero123":
            let count = try ExportJob(workdir: common.workdirURL, manifest: manifest).zero123()
            StageMain.printLine("shard: wrote \(count) assets in zero123's views_release layout under \(common.workdir)/export/zero123")
        default:
            let config = try StageConfig.decode(ShardConfig.self, yaml: pipeline?.configYAML(forStage: "shard") ?? "")
            let summary = try ShardJob(workdir: common.workdirURL, manifest: manifest, config: config).run()
            let counts = ["train", "val", "test"].map { "\($0) \(summary.samples[$0] ?? 0)" }.joined(separator: ", ")
            StageMain.printLine("shard: \(counts) samples; \(summary.shardsWritten) shard(s) written, \(summary.shardsKept) intact shard(s) kept")
        }
    }
}

StageMain.main(Shard.self)
