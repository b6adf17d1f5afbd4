// swift-tools-version:6.0
// The CustomNet data engine: staged executables that build CustomNet / Zero-1-to-3 training corpora.
// Benchmarks live in their own package (Benchmarks/Package.swift) so the product build never compiles them.
import PackageDescription

let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let grdb = Target.Dependency.product(name: "GRDB", package: "GRDB.swift")

let package = Package(
    name: "CustomNetData",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cn-manifest", targets: ["cn-manifest"]),
        .executable(name: "cn-run", targets: ["cn-run"]),
        .executable(name: "cn-ingest", targets: ["cn-ingest"]),
        .executable(name: "cn-render", targets: ["cn-render"]),
        .executable(name: "cn-fixture", targets: ["cn-fixture"]),
        .executable(name: "cn-compose", targets: ["cn-compose"]),
        .executable(name: "cn-caption", targets: ["cn-caption"]),
        .executable(name: "cn-shard", targets: ["cn-shard"]),
        .executable(name: "cn-extract", targets: ["cn-extract"]),
        .executable(name: "cn-synthesize", targets: ["cn-synthesize"]),
        .executable(name: "cn-model", targets: ["cn-model"]),
        // Libraries the benchmark package (Benchmarks/) builds on.
        .library(name: "Support", targets: ["Support"]),
        .library(name: "Imaging", targets: ["Imaging"]),
        .library(name: "Geometry", targets: ["Geometry"]),
        .library(name: "Assets", targets: ["Assets"]),
        .library(name: "Raster", targets: ["Raster"]),
        .library(name: "Manifest", targets: ["Manifest"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "Shards", targets: ["Shards"]),
        .library(name: "OpenImagesStages", targets: ["OpenImagesStages"]),
        .library(name: "Tensor", targets: ["Tensor"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Diffusion", targets: ["Diffusion"]),
        .library(name: "Training", targets: ["Training"]),
        .executable(name: "cn-train", targets: ["cn-train"]),
        .library(name: "Evaluation", targets: ["Evaluation"]),
        .executable(name: "cn-eval", targets: ["cn-eval"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
    ],
    targets: [
        // C libraries
        .target(name: "CJPEGShim", linkerSettings: [.linkedLibrary("jpeg")]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "CPNGShim", linkerSettings: [.linkedLibrary("png16")]),
        .systemLibrary(name: "CDeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CGzip", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // Libraries
        .target(name: "Support"),
        .target(name: "Imaging", dependencies: ["Support", "CPNGShim", "CJPEGShim", "CDeflate"]),
        .target(name: "Geometry", dependencies: ["Support"]),
        .target(name: "Assets", dependencies: ["Support", "Imaging", "Geometry"]),
        .target(name: "Raster", dependencies: ["Support", "Imaging", "Geometry", "Assets"]),
        .target(name: "Manifest", dependencies: ["Support", "CSQLite", grdb]),
        .target(name: "Pipeline", dependencies: ["Support", "Manifest", grdb, "Yams"]),
        .target(name: "StageCLI", dependencies: ["Support", "Manifest", "Pipeline", argumentParser]),
        .target(name: "Datasets", dependencies: ["Support", "CGzip"]),
        .target(name: "Shards", dependencies: ["Support", "Imaging", "Geometry"]),
        .target(name: "Tensor", dependencies: ["Support", "COpenBLAS"]),
        // Small datasets in the real on-disk layouts (Objaverse, Open Images) made from real meshes.
        .target(name: "Fixtures", dependencies: [
            "Support", "Imaging", "Geometry", "Assets", "Raster", "Datasets", "CGzip", "ZIPFoundation",
        ]),

        // Stage modules: each builds on the libraries above, never on another stage module
        // (checked by ArchitectureTests).
        .target(name: "ObjaverseStages", dependencies: [
            "Support", "Imaging", "Geometry", "Assets", "Raster", "Datasets", "Manifest", "Pipeline",
        ]),
        .target(name: "NN", dependencies: ["Support", "Tensor"]),
        .target(name: "Diffusion", dependencies: ["Support", "Tensor", "NN", "CGzip", "Yams"]),
        .target(name: "Evaluation", dependencies: ["Support", "Tensor", "NN", "Diffusion", "Imaging", "Training", "Manifest", "Geometry", "OpenImagesStages", "Shards"]),
        .target(name: "Training", dependencies: ["Support", "Tensor", "NN", "Diffusion", "Shards", "Imaging", "Manifest", "Pipeline", "Yams"]),
        .target(name: "OpenImagesStages", dependencies: [
            "Support", "Imaging", "Geometry", "Raster", "Datasets", "Manifest", "Pipeline", "Fixtures", "Diffusion", "Tensor", "Training",
        ]),
        .target(name: "CorpusStages", dependencies: ["Support", "Imaging", "Geometry", "Manifest", "Pipeline", "Shards", grdb]),

        // Executables (thin: parse arguments, call the library)
        .executableTarget(name: "cn-manifest", dependencies: ["StageCLI", "Manifest", "CorpusStages", "Imaging", argumentParser]),
        .executableTarget(name: "cn-run", dependencies: ["StageCLI", "Pipeline", "CorpusStages", "Datasets", "ObjaverseStages", "OpenImagesStages", argumentParser]),
        .executableTarget(name: "cn-bench-tensor", dependencies: ["Tensor", "NN", "Support", "COpenBLAS"]),
        .executableTarget(name: "cn-ingest", dependencies: ["StageCLI", "Pipeline", "ObjaverseStages", "OpenImagesStages", "Datasets", argumentParser]),
        .executableTarget(name: "cn-render", dependencies: ["StageCLI", "Pipeline", "ObjaverseStages", argumentParser]),
        .executableTarget(name: "cn-fixture", dependencies: ["StageCLI", "Fixtures", argumentParser]),
        .executableTarget(name: "cn-compose", dependencies: ["StageCLI", "Pipeline", "ObjaverseStages", argumentParser]),
        .executableTarget(name: "cn-caption", dependencies: ["StageCLI", "Pipeline", "CorpusStages", argumentParser]),
        .executableTarget(name: "cn-shard", dependencies: ["StageCLI", "Pipeline", "Manifest", "CorpusStages", argumentParser]),
        .executableTarget(name: "cn-extract", dependencies: ["StageCLI", "Pipeline", "OpenImagesStages", "Datasets", "Imaging", argumentParser]),
        .executableTarget(name: "cn-synthesize", dependencies: ["StageCLI", "Pipeline", "OpenImagesStages", "Tensor", argumentParser]),
        .executableTarget(name: "cn-eval", dependencies: ["StageCLI", "Evaluation", "Tensor", "Training", argumentParser]),
        .executableTarget(name: "cn-train", dependencies: ["StageCLI", "Training", "Pipeline", "Support", "Tensor", argumentParser]),
        .executableTarget(name: "cn-model", dependencies: ["StageCLI", "Pipeline", "Diffusion", "NN", "Tensor", "Support", "Imaging", "Shards", argumentParser]),

        // Tests
        .target(name: "TestSupport", dependencies: ["Support", "Manifest", "Pipeline"], path: "Tests/TestSupport"),
        // The synthetic `noise` stage as a command, for the kill-and-resume tests and scripts/bench/runner.
        .executableTarget(name: "cn-test-stage", dependencies: ["StageCLI", "Pipeline", "TestSupport", argumentParser],
                          path: "Tests/cn-test-stage"),
        // The shard writer as a command, for the SIGKILL-mid-shard test and scripts/bench/shards.
        .executableTarget(name: "cn-test-shards", dependencies: ["Shards"], path: "Tests/cn-test-shards"),
        .testTarget(name: "SupportTests", dependencies: ["Support", "TestSupport"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "Support", "TestSupport"]),
        .testTarget(name: "GeometryTests", dependencies: ["Geometry", "Support", "TestSupport"]),
        .testTarget(name: "AssetsTests", dependencies: ["Assets", "Geometry", "Support", "TestSupport"]),
        .testTarget(name: "RasterTests", dependencies: ["Raster", "Assets", "Geometry", "Imaging", "Support", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "ManifestTests", dependencies: ["Manifest", "TestSupport", grdb]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Manifest", "Support", "TestSupport", grdb]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "TestSupport", "Support", "ZIPFoundation"]),
        .testTarget(name: "FixturesTests", dependencies: ["Fixtures", "Datasets", "Imaging", "OpenImagesStages", "TestSupport"]),
        .testTarget(name: "ShardsTests", dependencies: ["Shards", "Geometry", "Imaging", "Support", "TestSupport"]),
        .testTarget(name: "StagesTests", dependencies: ["TestSupport", "ObjaverseStages", "CorpusStages", "OpenImagesStages", "Pipeline", "Datasets"]),
        .testTarget(name: "OpenImagesStagesTests", dependencies: [
            "TestSupport", "OpenImagesStages", "Fixtures", "Datasets", "Imaging", "Raster", "Geometry", "Assets", "Support",
        ]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "NN", "TestSupport"]),
        .testTarget(name: "NNTests", dependencies: ["Tensor", "NN", "Support", "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Tensor", "NN", "Support", "Imaging", "Shards", "TestSupport"]),
        .testTarget(name: "DiffusionTests", dependencies: ["Diffusion", "Tensor", "NN", "Support", "Imaging", "TestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Diffusion", "Tensor", "NN", "Support", "Shards", "Imaging", "Pipeline", "TestSupport"]),
        .testTarget(name: "ArchitectureTests", dependencies: ["TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

// Members are visible only from modules a file imports (SE-0444), so each target's
// dependencies are exactly what its files import. (Tensor's targets are owned by another change.)
for target in package.targets where target.type != .system && !["Tensor", "TensorTests", "cn-bench-tensor"].contains(target.name) {
    target.swiftSettings = (target.swiftSettings ?? []) + [.enableUpcomingFeature("MemberImportVisibility")]
}
