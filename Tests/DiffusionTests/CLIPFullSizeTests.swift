import Testing
import Foundation
import Support
import Tensor
import NN
import TestSupport
@testable import Diffusion

/// ViT-L/14 and CLIP-L text at full size against scripts/interop/clip_fullsize.py (too slow for
/// CI: runs only with CN_FULLSIZE=1; CN_FULLSIZE_DIR reuses a folder the script already wrote; the
/// script's docstring gives the release command its timings should come from).
@Suite("CLIP full size", .enabled(if: ProcessInfo.processInfo.environment["CN_FULLSIZE"] == "1"))
struct CLIPFullSizeTests {
    static func folder() throws -> URL {
        if let dir = ProcessInfo.processInfo.environment["CN_FULLSIZE_DIR"], !dir.isEmpty,
           FileManager.default.fileExists(atPath: dir + "/torch.json") {
            return URL(fileURLWithPath: dir)
        }
        let python = try Python.interpreter(importing: ["torch", "transformers", "safetensors", "numpy"])
        let folder = TestPaths.scratchFolder("clip-fullsize")
        let script = TestPaths.repositoryRoot.appendingPathComponent("scripts/interop/clip_fullsize.py").path
        let result = try ProcessRunner.run(python, [script, folder.path])
        guard result.status == 0 else { throw CLIPFixtures.Failure(description: "clip_fullsize.py failed: \(result.stderr)") }
        return folder
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static func bestOf3(_ body: () throws -> Void) rethrows -> Double {
        try body()
        return try (0..<3).map { _ in try seconds(body) }.min()!
    }

    @Test func vitL14AndClipLText() throws {
        let folder = try Self.folder()
        func npy(_ name: String) throws -> (values: [Double], shape: [Int]) {
            try NPY.decode(Array(Data(contentsOf: folder.appendingPathComponent(name + ".npy"))))
        }
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("torch.json"))) as? [String: Any] ?? [:]
        var source: TensorDictionary?
        let read = try Self.seconds { source = TensorDictionary(try Safetensors.read(folder.appendingPathComponent("ldm.safetensors").path).tensors) }
        var vision: CLIPVisionTransformer?, text: CLIPTextTransformer?
        let loadVision = try Self.seconds { vision = try CLIPVisionTransformer.load(from: source!) }
        let loadText = try Self.seconds { text = try CLIPTextTransformer.load(from: source!) }
        source = nil
        #expect(vision!.configuration == .vitL14)
        #expect(text!.configuration == .clipL)

        let (pixelValues, pixelShape) = try npy("pixels")
        let pixels = Tensor(shape: pixelShape, data: pixelValues.map { Float($0) })
        let (idValues, idShape) = try npy("ids")
        let ids = (0..<idShape[0]).map { b in (0..<idShape[1]).map { Int(idValues[b * idShape[1] + $0]) } }

        var embeddings = Tensor(shape: [0]), hidden = Tensor(shape: [0])
        let visionTime = try Self.bestOf3 { embeddings = try vision!.encode(pixels) }
        let textTime = try Self.bestOf3 { hidden = try text!.encode(tokens: ids) }
        let visionError = relativeL2(embeddings, try npy("image_embeds").values)
        let textError = relativeL2(hidden, try npy("hidden").values)
        print("""
            CLIP full size (\(ComputeThreads.threadCount) threads; PyTorch \(report["torch"] ?? "?") at \(report["threads"] ?? "?") threads):
              safetensors read \(String(format: "%.2f", read)) s; load ViT-L/14 \(String(format: "%.2f", loadVision)) s, CLIP-L text \(String(format: "%.2f", loadText)) s
              ViT-L/14 image_embeds [1, 768]: relative L2 \(visionError) vs float64 (PyTorch float32: \(report["torch_f32_vision_relative_l2"] ?? "?")); \
            forward \(String(format: "%.3f", visionTime)) s vs PyTorch \(report["torch_vision_seconds"] ?? "?") s
              CLIP-L text last_hidden_state [1, 77, 768]: relative L2 \(textError) vs float64 (PyTorch float32: \(report["torch_f32_text_relative_l2"] ?? "?")); \
            forward \(String(format: "%.3f", textTime)) s vs PyTorch \(report["torch_text_seconds"] ?? "?") s
            """)
        #expect(visionError < 1e-4)
        #expect(textError < 1e-4)
    }
}
