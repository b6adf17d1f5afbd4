import Foundation
import Imaging
import Shards
import Support
import Tensor
import TestSupport
@testable import Training

/// Small corpora and presets for the trainer's tests.
enum TrainingFixtures {
    /// A preset of the SD-1.x block structure small enough for debug-build tests (8x8 pixels).
    static let microPreset = """
        preset: test-micro
        image_size: 8
        first_stage: identity
        conditioner: learned
        encoder_channels: [8, 16]
        text_vocabulary: 64
        unet:
          model_channels: 8
          channel_mult: [1, 2]
          attention_resolutions: [2]
          num_res_blocks: 1
          num_heads: 2
          context_dim: 16
          norm_groups: 4
        train:
          batch: 4
          lr: 3.0e-3
          warmup_steps: 5
          warmup_start: 0.1
          grad_clip: 1.0
          steps: 40
          checkpoint_every: 5
          val_every: 20
          val_batches: 1
          sample_every: 0
          shuffle_buffer: 8
          keep_checkpoints: 2
        """

    /// Writes `microPreset` (with `extra` appended under train:) to `folder/test-micro.yaml`.
    static func writePreset(_ folder: URL, _ text: String = microPreset) throws -> String {
        let path = folder.appendingPathComponent("test-micro.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A synthetic pose-dependent corpus in the shards contract: a coloured square on white whose
    /// position in the target follows the azimuth change of T; `train` and `val` samples.
    static func writeCorpus(_ workdir: URL, train: Int, val: Int, size: Int = 16, seed: UInt64 = 1) throws {
        let shards = workdir.appendingPathComponent("shards").path
        try FileManager.default.createDirectory(atPath: shards, withIntermediateDirectories: true)
        var random = SeededRandom(seed: seed)
        var id = 1
        for (split, count) in [("train", train), ("val", val)] where count > 0 {
            let writer = try TarWriter(path: shards + "/\(split)-000000.tar")
            for _ in 0..<count {
                let az = random.uniform(-Double.pi, Double.pi)
                let colour = RGBA8(UInt8(random.integer(below: 200)), UInt8(random.integer(below: 200)), UInt8(random.integer(below: 200)))
                let s = size / 4
                func picture(_ x: Int) -> [UInt8] {
                    var image = RGBAImage(width: size, height: size, fill: .white)
                    image.fill(PixelRect(x: x, y: size / 2 - s / 2, width: s, height: s), with: colour)
                    return try! PNG.encode(image)
                }
                let refX = size / 2 - s / 2
                let targetX = min(max(0, refX + Int((Double(size) / 3 * sin(az)).rounded())), size - s)
                let key = try WebDatasetSample.key(forSampleID: id)
                let json = "{\"T\":[0.1,\(sin(az)),\(cos(az)),0.0],\"id\":\(id),\"split\":\"\(split)\"}"
                try writer.append(path: key + ".target.png", bytes: picture(targetX))
                try writer.append(path: key + ".ref.png", bytes: picture(refX))
                try writer.append(path: key + ".concat.png", bytes: picture(targetX))
                try writer.append(path: key + ".txt", bytes: Array("a coloured square".utf8))
                try writer.append(path: key + ".json", bytes: Array(json.utf8))
                id += 1
            }
            _ = try writer.finish()
        }
    }
}
