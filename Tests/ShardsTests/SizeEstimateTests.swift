import Imaging
import Shards
import Support
import TestSupport
import Testing
import Foundation

@Suite("shard size estimates")
struct SizeEstimateTests {
    @Test("the PNG bound holds for incompressible images; a plan on bounds is accepted by writeShard")
    func bounds() throws {
        var random = SeededRandom(seed: 21)
        for (w, h) in [(1, 1), (7, 3), (256, 256), (300, 17)] {
            var image = RGBAImage(width: w, height: h)
            for i in image.pixels.indices { image.pixels[i] = UInt8(truncatingIfNeeded: random.next()) }
            for level in [0, 1, 6, 9] {
                let options = PNG.EncodeOptions(compressionLevel: level)
                #expect(try PNG.encode(image, options: options).count <= ShardSizeEstimate.pngUpperBound(width: w, height: h, channels: 4))
                #expect(try PNG.encodeOpaque(image, options: options).count <= ShardSizeEstimate.pngUpperBound(width: w, height: h, channels: 3))
            }
        }
        let samples = try SampleFactory.webDataset(ids: 0..<20)
        #expect(samples.allSatisfy { $0.archivedSize == ShardSizeEstimate.archivedSize(fieldSizes: $0.fields.map(\.bytes.count)) })
        // Plan with the concat field replaced by its bound: every planned shard is writable as is.
        let limits = ShardLimits(maxSamples: 100, maxBytes: 40_000)
        let bound = ShardSizeEstimate.pngUpperBound(width: 32, height: 32, channels: 3)
        let estimated = samples.map { sample in
            ShardSizeEstimate.archivedSize(fieldSizes: sample.fields.map { $0.name == "concat.png" ? bound : $0.bytes.count })
        }
        let plan = limits.plan(archivedSizes: estimated)
        #expect(plan.count > 1)
        let folder = TestPaths.scratchFolder("estimate").path
        for (number, range) in plan.enumerated() {
            try ShardSequenceWriter.writeShard(samples[range], folder: folder, split: "train", number: number, limits: limits)
        }
    }
}
