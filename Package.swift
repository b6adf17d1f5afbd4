// swift-tools-version:6.0
// The CustomNet data engine: staged executables that build CustomNet / Zero-1-to-3 training corpora.
import PackageDescription

let package = Package(
    name: "CustomNetData",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cn-manifest", targets: ["cn-manifest"]),
        .executable(name: "cn-run", targets: ["cn-run"]),
        .executable(name: "cn-bench-stage", targets: ["cn-bench-stage"]),
        .executable(name: "cn-bench-manifest", targets: ["cn-bench-manifest"]),
        .executable(name: "cn-ingest", targets: ["cn-ingest"]),
        .executable(name: "cn-render", targets: ["cn-render"]),
        .executable(name: "cn-fixture", targets: ["cn-fixture"]),
        .executable(name: "cn-compose", targets: ["cn-compose"]),
        .executable(name: "cn-caption", targets: ["cn-caption"]),
        .executable(name: "cn-shard", targets: ["cn-shard"]),
        .executable(name: "cn-extract", targets: ["cn-extract"]),
        .executable(name: "cn-synthesize", targets: ["cn-synthesize"]),
        .executable(name: "cn-model", targets: ["cn-model"]),
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
        .target(name: "Manifest", dependencies: ["Support", "CSQLite", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "Pipeline", dependencies: [
            "Support", "Manifest", .product(name: "GRDB", package: "GRDB.swift"), "Yams",
        ]),
        .target(name: "StageCLI", dependencies: [
            "Support", "Manifest", "Pipeline", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .target(name: "Datasets", dependencies: ["Support", "Imaging", "CGzip"]),
        .target(name: "Shards", dependencies: ["Support", "Imaging"]),
        .target(name: "ObjaverseStages", dependencies: [
            "Support", "Imaging", "Geometry", "Assets", "Raster", "Datasets", "Manifest", "Pipeline",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .target(name: "CorpusStages", dependencies: [
            "Support", "Imaging", "Manifest", "Pipeline", "Shards", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .target(name: "Tensor", dependencies: ["Support", "COpenBLAS"]),
        .target(name: "NN", dependencies: ["Support", "Tensor"]),
        .target(name: "Diffusion", dependencies: ["Support", "Tensor", "NN", "CGzip", "Yams"]),
        .target(name: "Evaluation", dependencies: ["Support", "Tensor", "NN", "Diffusion", "Imaging"]),
        .target(name: "OpenImagesStages", dependencies: [
            "Support", "Imaging", "Geometry", "Assets", "Raster", "Datasets", "Manifest", "Pipeline", "CorpusStages",
            "ObjaverseStages", "ZIPFoundation", .product(name: "GRDB", package: "GRDB.swift"),
        ]),

        // Executables (thin: parse arguments, call the library)
        .executableTarget(name: "cn-manifest", dependencies: [
            "StageCLI", "Manifest", "Pipeline", "CorpusStages", "Imaging", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "cn-run", dependencies: [
            "StageCLI", "Pipeline", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "cn-bench-tensor", dependencies: ["Tensor", "NN", "Support", "COpenBLAS"]),
        .executableTarget(name: "cn-bench-checkpoint", dependencies: ["NN", "Tensor"]),
        .executableTarget(name: "cn-bench-stage", dependencies: [
            "StageCLI", "Pipeline", "Imaging", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "cn-bench-shards", dependencies: ["Shards"]),

        .executableTarget(name: "cn-ingest", dependencies: [
            "StageCLI", "Pipeline", "ObjaverseStages", "OpenImagesStages", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "cn-render", dependencies: [
            "StageCLI", "Pipeline", "ObjaverseStages", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "cn-fixture", dependencies: [
            "StageCLI", "Pipeline", "ObjaverseStages", "OpenImagesStages", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "cn-compose", dependencies: [
            "StageCLI", "Pipeline", "CorpusStages", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "cn-caption", dependencies: [
            "StageCLI", "Pipeline", "CorpusStages", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "cn-shard", dependencies: [
            "StageCLI", "Pipeline", "Manifest", "CorpusStages", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "cn-extract", dependencies: [
            "StageCLI", "Pipeline", "OpenImagesStages", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "cn-synthesize", dependencies: [
            "StageCLI", "Pipeline", "OpenImagesStages", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "cn-bench-model", dependencies: ["Diffusion", "NN", "Tensor", "Support"]),
        .executableTarget(name: "cn-model", dependencies: [
            "StageCLI", "Pipeline", "Diffusion", "NN", "Tensor", "Support", "Imaging", "Shards",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "cn-eval", dependencies: [
            "StageCLI", "Evaluation", "Diffusion", "NN", "Tensor", "Support", "Imaging",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "cn-bench-eval", dependencies: ["Evaluation", "Tensor", "NN", "Imaging", "Support"]),
        .executableTarget(name: "cn-bench-manifest", dependencies: [
            "Manifest", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .executableTarget(name: "cn-bench-codecs", dependencies: ["Imaging", "Support"]),
        .executableTarget(name: "cn-bench-extract", dependencies: ["Imaging"]),
        .executableTarget(name: "cn-bench-openimages", dependencies: ["Datasets", "Imaging", "Support"]),

        .executableTarget(name: "cn-bench-render", dependencies: ["Raster", "Assets", "Geometry", "Support"]),

        // Tests
        .target(name: "TestSupport", dependencies: ["Support"], path: "Tests/TestSupport"),
        .testTarget(name: "SupportTests", dependencies: ["Support", "TestSupport"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "TestSupport"]),
        .testTarget(name: "GeometryTests", dependencies: ["Geometry", "TestSupport"]),
        .testTarget(name: "AssetsTests", dependencies: ["Assets", "TestSupport"]),
        .testTarget(name: "RasterTests", dependencies: ["Raster", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "ManifestTests", dependencies: ["Manifest", "TestSupport"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "StageCLI", "TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "TestSupport", "ZIPFoundation"]),
        .testTarget(name: "ShardsTests", dependencies: ["Shards", "TestSupport"]),
        .testTarget(name: "StagesTests", dependencies: ["TestSupport", "ObjaverseStages", "CorpusStages"]),
        .testTarget(name: "OpenImagesStagesTests", dependencies: [
            "TestSupport", "OpenImagesStages", "Datasets", "Imaging", "Raster", "Geometry", "Assets",
        ]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "NN", "TestSupport"]),
        .testTarget(name: "NNTests", dependencies: ["Tensor", "NN", "Support", "TestSupport"]),
        .testTarget(name: "DiffusionTests", dependencies: ["Diffusion", "Tensor", "NN", "Support", "Imaging", "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Diffusion", "Tensor", "NN", "Support", "Imaging", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
