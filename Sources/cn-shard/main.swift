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

    @Option(help: "What to write.")
    var format = ShardFormat.webdataset

    func run() throws {
        let pipeline = try common.pipeline()
        let config = try StageConfig.decode(ShardConfig.self, step: "shard", pipeline: pipeline)
        let settings: [String: any Encodable] = format == .webdataset ? ["shard": config] : [:]
        try StageMain.runJob(stage: "shard", executable: "cn-shard", options: common, pipeline: pipeline, settings: settings) { manifest in
            try write(config: config, manifest: manifest)
        }
    }

    private func write(config: ShardConfig, manifest: ManifestStore) throws {
        switch format {
        case .customnet:
            let count = try ExportJob(workdir: common.workdirURL, manifest: manifest).customNet()
            StageMain.printLine("shard: wrote \(count) CustomNet sample folders under \(common.workdir)/export/customnet")
        case .zero123:
            let count = try ExportJob(workdir: common.workdirURL, manifest: manifest).zero123()
            StageMain.printLine("shard: wrote \(count) assets in zero123's views_release layout under \(common.workdir)/export/zero123")
        case .webdataset:
            let summary = try ShardJob(workdir: common.workdirURL, manifest: manifest, config: config).run()
            let counts = ["train", "val", "test"].map { "\($0) \(summary.samples[$0] ?? 0)" }.joined(separator: ", ")
            StageMain.printLine("shard: \(counts) samples; \(summary.shardsWritten) shard(s) written, \(summary.shardsKept) intact shard(s) kept")
        }
    }
}

/// What `cn-shard` writes.
enum ShardFormat: String, CaseIterable, ExpressibleByArgument {
    /// WORKDIR/shards/{split}-{000000}.tar with their indexes (docs/CONTRACTS.md).
    case webdataset
    /// CustomNet's sample folders under WORKDIR/export/customnet.
    case customnet
    /// zero123's views_release under WORKDIR/export/zero123.
    case zero123
}

StageMain.main(Shard.self)
