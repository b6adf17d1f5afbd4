import Foundation
import Testing
import Support
import TestSupport
import NN
@testable import Tensor

/// safetensors round trips, interop with the Python package, strict loading and key remapping.
@Suite("safetensors") struct SafetensorsTests {
    func sampleTensors() -> [String: Tensor] {
        var r = SeededRandom(seed: 70)
        return [
            "model.diffusion_model.input_blocks.1.1.proj_in.weight": Tensor.randomNormal(shape: [4, 4, 1, 1], random: &r),
            "a.b": Tensor.randomNormal(shape: [3], random: &r),
            "scalar_like": Tensor(shape: [1], data: [0.1]),
            "matrix": Tensor.randomNormal(shape: [2, 5], random: &r),
        ]
    }

    @Test func roundTripInSwift() throws {
        let tensors = sampleTensors()
        let bytes = Safetensors.encode(tensors, metadata: ["format": "pt"])
        #expect((bytes.count - 8) % 4 == 0)
        let back = try Safetensors.decode(bytes)
        #expect(back.tensors == tensors)
        #expect(back.metadata == ["format": "pt"])
    }

    @Test func pythonReadsOursAndWeReadPythons() throws {
        let folder = TestPaths.scratchFolder("safetensors")
        defer { try? FileManager.default.removeItem(at: folder) }
        let ours = folder.appendingPathComponent("swift.safetensors").path
        let theirs = folder.appendingPathComponent("python.safetensors").path
        let tensors = sampleTensors()
        try Safetensors.write(tensors, metadata: ["writer": "swift"], to: ours)
        let output = try PythonRunner.runScript("safetensors_interop.py", [ours, theirs])
        #expect(output.split(separator: "\n").count == tensors.count, "python output: \(output)")
        let file = try Safetensors.read(theirs)
        #expect(file.metadata["writer"] == "python")
        for (name, t) in tensors {
            #expect(file.tensors["f32." + name] == t, "f32.\(name) differs after the Python round trip")
            let half = try #require(file.tensors["f16." + name])
            #expect(half.shape == t.shape)
            for i in 0..<t.count { #expect(abs(half.data[i] - t.data[i]) <= 1e-3 * max(1, abs(t.data[i]))) }
        }
    }

    @Test func layerFileRoundTrip() throws {
        let folder = TestPaths.scratchFolder("safetensors-layer")
        defer { try? FileManager.default.removeItem(at: folder) }
        var r = SeededRandom(seed: 72)
        let a = ResBlock(channels: 4, outChannels: 8, embDim: 3, groups: 2, zeroInitOutput: false, random: &r)
        let b = ResBlock(channels: 4, outChannels: 8, embDim: 3, groups: 2, zeroInitOutput: false, random: &r)
        let path = folder.appendingPathComponent("res.safetensors").path
        try a.saveSafetensors(to: path, prefix: "model.diffusion_model.input_blocks.4.0")
        #expect(throws: TensorError.self) { try b.loadSafetensors(from: path) }
        try b.loadSafetensors(from: path, prefix: "model.diffusion_model.input_blocks.4.0")
        #expect(b.stateDict() == a.stateDict())
        #expect(b.stateDict().keys.contains("skip_connection.weight"))
    }

    @Test func readsBF16AndF16() throws {
        // Hand-made file: BF16 [1.5, -2] and F16 [1, 0.5, 65504, subnormal 2^-24].
        let header = #"{"b":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]},"h":{"dtype":"F16","shape":[4],"data_offsets":[4,12]}}"#
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes += Array(header.utf8)
        for bits: UInt16 in [0x3FC0, 0xC000, 0x3C00, 0x3800, 0x7BFF, 0x0001] {
            bytes += [UInt8(bits & 0xff), UInt8(bits >> 8)]
        }
        let file = try Safetensors.decode(bytes)
        #expect(file.tensors["b"]?.data == [1.5, -2])
        #expect(file.tensors["h"]?.data == [1, 0.5, 65504, 0x1p-24])
    }

    @Test func rejectsBadFiles() {
        #expect(throws: TensorError.self) { try Safetensors.decode([1, 2, 3]) }
        var bytes = Safetensors.encode(["x": Tensor(shape: [2], data: [1, 2])])
        bytes.removeLast()
        #expect(throws: TensorError.self) { try Safetensors.decode(bytes) }
    }

    @Test func strictLoadingAndRemapping() throws {
        var r = SeededRandom(seed: 71)
        let layer = FeedForward(dim: 4, mult: 1, random: &r)
        let saved = layer.stateDict(prefix: "model.diffusion_model.input_blocks.1.1.transformer_blocks.0.ff")
        let other = FeedForward(dim: 4, mult: 1, random: &r)
        // Strict by default: the ldm names do not match without remapping.
        do {
            try other.loadStateDict(saved)
            Issue.record("strict load accepted mismatched keys")
        } catch let error as TensorError {
            #expect(error.kind == "key-mismatch")
            #expect(error.message.contains("missing 4"))
        }
        // A few rules of the ldm -> diffusers renaming (the whole table is Diffusion's UNetNaming).
        let remap = KeyRemapping([
            .prefix("model.diffusion_model.", ""),
            .regex(#"^input_blocks\.1\.1\."#, "down_blocks.0.attentions.0."),
            .regex(#"^input_blocks\.5\.0\."#, "down_blocks.1.resnets.1."),
            .regex(#"^middle_block\.1\."#, "mid_block.attentions.0."),
            .regex(#"\.in_layers\.2\."#, ".conv1."),
        ])
        #expect(try remap.apply("model.diffusion_model.input_blocks.1.1.proj_in.weight") == "down_blocks.0.attentions.0.proj_in.weight")
        #expect(try remap.apply("model.diffusion_model.input_blocks.5.0.in_layers.2.weight") == "down_blocks.1.resnets.1.conv1.weight")
        #expect(try remap.apply("model.diffusion_model.middle_block.1.norm.bias") == "mid_block.attentions.0.norm.bias")
        try other.loadStateDict(saved, prefix: "down_blocks.0.attentions.0.transformer_blocks.0.ff", remapping: remap)
        #expect(other.stateDict() == layer.stateDict())
        // Shape mismatches are errors even when not strict.
        var bad = layer.stateDict()
        bad["net.2.bias"] = Tensor(shape: [5])
        #expect(throws: TensorError.self) { try other.loadStateDict(bad, strict: false) }
        let dropped = try KeyRemapping([.drop("net.2."), .prefix("net.0", "net.0")]).apply(to: layer.stateDict())
        let missing = try other.loadStateDict(dropped, strict: false)
        #expect(missing == ["net.2.weight", "net.2.bias"])
    }
}
