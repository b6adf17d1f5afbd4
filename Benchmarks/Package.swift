// swift-tools-version:6.0
// Throughput benchmarks of the CustomNet data engine, in their own package (as swift-collections
// and swift-nio keep theirs) so that the product build never compiles them. Each is driven by a
// script under scripts/bench/ that measures the obvious alternative in the same run.
import PackageDescription

func engine(_ name: String) -> Target.Dependency { .product(name: name, package: "CustomNetData") }

let package = Package(
    name: "CustomNetBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "CustomNetData", path: "..")],
    targets: [
        .executableTarget(name: "cn-bench-codecs", dependencies: [engine("Imaging"), engine("Support")]),
        .executableTarget(name: "cn-bench-extract", dependencies: [engine("Imaging")]),
        .executableTarget(name: "cn-bench-openimages", dependencies: [engine("Datasets"), engine("Imaging"), engine("Support"), engine("OpenImagesStages")]),
        .executableTarget(name: "cn-bench-render", dependencies: [engine("Raster"), engine("Assets"), engine("Geometry"), engine("Support")]),
        .executableTarget(name: "cn-bench-manifest", dependencies: [engine("Manifest")]),
        .executableTarget(name: "cn-bench-checkpoint", dependencies: [engine("NN"), engine("Tensor")]),
        .executableTarget(name: "cn-bench-eval", dependencies: [engine("Evaluation"), engine("Tensor"), engine("NN"), engine("Imaging"), engine("Support")]),
        .executableTarget(name: "cn-bench-model", dependencies: [engine("Diffusion"), engine("NN"), engine("Tensor"), engine("Support")]),
    ],
    swiftLanguageModes: [.v6]
)
