import Foundation
import Testing
import Support
import Imaging
import Tensor
import TestSupport

/// `cn-model sample` end to end against a PyTorch re-implementation of zero123's sampling (ldm's
/// DDIMSampler loop, float64) with the same random weights in one torch-saved ldm checkpoint.
@Suite("cn-model sample", .serialized)
struct CNModelSampleTests {
    static var vocabulary: String {
        get throws {
            let python = try Python.interpreter(importing: ["torch"])
            let result = try ProcessRunner.run(python, ["-c", "import importlib.util, os; "
                + "print(os.path.join(importlib.util.find_spec('open_clip').submodule_search_locations[0], 'bpe_simple_vocab_16e6.txt.gz'))"])
            return String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// Runs cn-model with arguments; returns (status, stdout, stderr).
    static func cnModel(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try ChildProcess("cn-model", arguments).wait()
    }

    /// Compares the latent and the PNG cn-model wrote with the reference's.
    static func compare(_ folder: URL, label: String) throws {
        let latent = try ReferenceData.values(folder, "z")
        let reference = try ReferenceData.values(folder, "latent")
        let error = ReferenceData.relativeL2(latent.values.map { Float($0) }, reference.values)
        print("cn-model sample \(label): latent relative L2 \(error)")
        #expect(error < 1e-4)
        let view = try ImageFile.loadRGBA(folder.appendingPathComponent("view.png").path).pixels
        let image = try ReferenceData.values(folder, "image")
        let side = image.shape[2], plane = side * side
        var worst = 0
        for i in 0..<plane {
            for c in 0..<3 {
                let expected = Int(min(max((image.values[c * plane + i] + 1) / 2, 0), 1) * 255)
                worst = max(worst, abs(Int(view[4 * i + c]) - expected))
            }
        }
        #expect(worst <= 1, "the view differs from the reference by \(worst) levels")
    }

    @Test func zero123ViewMatchesLDMSampling() throws {
        let folder = TestPaths.scratchFolder("sample-zero123")
        try ReferenceData.generate("zero123_pipeline_reference.py", [folder.path, "--steps", "6"])
        let ckpt = folder.appendingPathComponent("model.ckpt").path
        let common = ["--config", folder.appendingPathComponent("model.yaml").path,
                      "--image", folder.appendingPathComponent("ref.png").path, "--polar", "20", "--azimuth", "45",
                      "--radius", "0.1", "--steps", "6", "--noise", folder.appendingPathComponent("noise.npy").path]
        let run = try Self.cnModel(["sample", "--checkpoint", ckpt] + common + [
            "--out", folder.appendingPathComponent("view.png").path, "--latent-out", folder.appendingPathComponent("z.npy").path])
        #expect(run.status == 0, "\(ChildProcess.report(run))")
        try Self.compare(folder, label: "zero123")

        // The same weights converted to safetensors give the same bytes.
        let converted = folder.appendingPathComponent("model.safetensors").path
        #expect(try Self.cnModel(["convert", "--checkpoint", ckpt, "--out", converted]).status == 0)
        let again = try Self.cnModel(["sample", "--checkpoint", converted] + common + [
            "--out", folder.appendingPathComponent("view2.png").path, "--latent-out", folder.appendingPathComponent("z2.npy").path])
        #expect(again.status == 0, "\(ChildProcess.report(again))")
        #expect(try Data(contentsOf: folder.appendingPathComponent("view.png")) == Data(contentsOf: folder.appendingPathComponent("view2.png")))
        #expect(try Data(contentsOf: folder.appendingPathComponent("z.npy")) == Data(contentsOf: folder.appendingPathComponent("z2.npy")))

        // The same weights as a diffusers folder, run by the PyTorch external client with the same noise.
        let diffusers = folder.appendingPathComponent("diffusers").path
        let convert = try Self.cnModel(["convert", "--checkpoint", ckpt, "--config", folder.appendingPathComponent("model.yaml").path,
                                        "--naming", "diffusers", "--out", diffusers])
        #expect(convert.status == 0, "\(ChildProcess.report(convert))")
        let python = try Python.interpreter(importing: ["torch", "diffusers", "transformers"])
        let request = #"{"id": "ref", "image": "\#(folder.appendingPathComponent("ref.png").path)", "views": [[20, 45, 0.1]], "#
            + #""seed": 0, "noise": ["\#(folder.appendingPathComponent("noise.npy").path)"]}"#
        let client = try ProcessRunner.run(python, [TestPaths.repositoryRoot.appendingPathComponent("scripts/external/zero123_diffusers.py").path,
                                                    "--model", diffusers, "--out", folder.appendingPathComponent("external").path,
                                                    "--steps", "6"], stdin: Data((request + "\n").utf8))
        let response = String(decoding: client.stdout, as: UTF8.self)
        #expect(client.status == 0 && response.contains(#""views""#), "\(response) \(client.stderr)")
        let external = try ImageFile.loadRGBA(folder.appendingPathComponent("external/ref_00.png").path).pixels
        let swift = try ImageFile.loadRGBA(folder.appendingPathComponent("view.png").path).pixels
        let worst = zip(external, swift).map { abs(Int($0) - Int($1)) }.max() ?? 255
        #expect(external.count == swift.count && worst <= 2, "the external client's view differs by \(worst) levels")

        // ... and the folder read back by cn-model itself (no --config: the config.json files say the shapes).
        let fromFolder = try Self.cnModel(["sample", "--checkpoint", diffusers] + common.dropFirst(2) + [
            "--out", folder.appendingPathComponent("view3.png").path])
        #expect(fromFolder.status == 0, "\(ChildProcess.report(fromFolder))")
        #expect(try Data(contentsOf: folder.appendingPathComponent("view.png")) == Data(contentsOf: folder.appendingPathComponent("view3.png")))

        let info = try Self.cnModel(["info", "--checkpoint", ckpt])
        #expect(info.status == 0)
        #expect(info.stdout.contains("variant:    zero123") && info.stdout.contains("cc_projection") && info.stdout.contains("vae"))
        // Where OpenBLAS falls back to its generic kernels on an AVX2 / AVX-512 CPU, cn-model re-executes with the right ones.
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil, let core = BLASKernels.detectedCoreType(cpuinfo: cpuinfo) {
            #expect(info.stdout.contains("OpenBLAS \(core) kernels") || !info.stdout.contains("Prescott"), "\(info.stdout)")
        }
    }

    @Test func customNetViewWithPromptAndBoxMatchesLDMSampling() throws {
        let folder = TestPaths.scratchFolder("sample-customnet")
        let vocabulary = try Self.vocabulary
        let prompt = "a red car parked in front of a house, sunny day"
        try ReferenceData.generate("zero123_pipeline_reference.py", [folder.path, "--variant", "customnet", "--size", "256",
                                                                     "--steps", "4", "--prompt", prompt, "--vocab", vocabulary,
                                                                     "--box", "40,60,200,220"])
        let run = try Self.cnModel(["sample", "--checkpoint", folder.appendingPathComponent("model.ckpt").path,
                                    "--config", folder.appendingPathComponent("model.yaml").path,
                                    "--image", folder.appendingPathComponent("ref.png").path, "--polar", "20", "--azimuth", "45",
                                    "--radius", "0.1", "--steps", "4", "--noise", folder.appendingPathComponent("noise.npy").path,
                                    "--prompt", prompt, "--vocab", vocabulary, "--box", "40,60,200,220",
                                    "--out", folder.appendingPathComponent("view.png").path,
                                    "--latent-out", folder.appendingPathComponent("z.npy").path])
        #expect(run.status == 0, "\(ChildProcess.report(run))")
        try Self.compare(folder, label: "customnet")
    }
}
