import Foundation
import Testing
import Support
import TestSupport

/// `cn-model unet`, `vae-encode`, `vae-decode`, `clip-image`, `info`: the contract's syntax on
/// files written by the PyTorch references, and the failures users meet (exit 2 for usage, exit 1
/// with one line for a file that cannot be used, nothing run from a malicious pickle).
@Suite("cn-model commands", .serialized)
struct CNModelPartCommandTests {
    static func cnModel(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try ChildProcess("cn-model", arguments).wait()
    }

    static func check(_ folder: URL, output: String, reference: String, label: String) throws {
        let mine = try ReferenceData.values(folder, output).values.map { Float($0) }
        let error = ReferenceData.relativeL2(mine, try ReferenceData.values(folder, reference).values)
        print("cn-model \(label): relative L2 \(error)")
        #expect(error < 1e-4, "\(label)")
    }

    @Test func unetOnAZero123Checkpoint() throws {
        let folder = TestPaths.scratchFolder("cnmodel-unet")
        try ReferenceData.generate("unet_reference.py", [folder.path, "--batch", "1", "--ema"])
        let yaml = folder.appendingPathComponent("model.yaml")
        try """
            model:
              params:
                unet_config:
                  params: {image_size: 8, in_channels: 8, out_channels: 4, model_channels: 32, attention_resolutions: [4, 2, 1],
                           num_res_blocks: 2, channel_mult: [1, 2, 2, 2], num_heads: 8, context_dim: 32}
            """.write(to: yaml, atomically: true, encoding: .utf8)
        let run = try Self.cnModel(["unet", "--checkpoint", folder.appendingPathComponent("weights.ckpt").path, "--config", yaml.path,
                                    "--input", folder.appendingPathComponent("x.npy").path, "--timestep", "961",
                                    "--context", folder.appendingPathComponent("context.npy").path,
                                    "--out", folder.appendingPathComponent("mine.npy").path])
        #expect(run.status == 0, "\(ChildProcess.report(run))")
        try Self.check(folder, output: "mine", reference: "eps", label: "unet")
        // --ema serves the UNet from model_ema.* (ldm LitEma names, dots removed).
        let ema = try Self.cnModel(["unet", "--checkpoint", folder.appendingPathComponent("weights.ckpt").path, "--config", yaml.path,
                                    "--ema", "--input", folder.appendingPathComponent("x.npy").path, "--timestep", "961",
                                    "--context", folder.appendingPathComponent("context.npy").path,
                                    "--out", folder.appendingPathComponent("mine_ema.npy").path])
        #expect(ema.status == 0, "\(ChildProcess.report(ema))")
        try Self.check(folder, output: "mine_ema", reference: "eps_ema", label: "unet --ema")
        // A file without EMA weights says so.
        let noEMA = try Self.cnModel(["unet", "--checkpoint", folder.appendingPathComponent("weights.safetensors").path, "--config", yaml.path,
                                      "--ema", "--input", folder.appendingPathComponent("x.npy").path, "--timestep", "961",
                                      "--context", folder.appendingPathComponent("context.npy").path, "--out", "/dev/null"])
        #expect(noEMA.status == 1 && noEMA.stderr.lowercased().contains("ema"), "\(noEMA.stderr)")

        // Without the config the released zero123 shapes do not fit: one line naming the first offenders.
        let wrong = try Self.cnModel(["unet", "--checkpoint", folder.appendingPathComponent("weights.ckpt").path,
                                      "--input", folder.appendingPathComponent("x.npy").path, "--timestep", "961",
                                      "--context", folder.appendingPathComponent("context.npy").path,
                                      "--out", folder.appendingPathComponent("wrong.npy").path])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("model.diffusion_model.") && wrong.stderr.split(separator: "\n").count == 1, "\(wrong.stderr)")
        // A checkpoint lacking the UNet says so.
        let vaeOnly = try Self.cnModel(["unet", "--checkpoint", folder.appendingPathComponent("diffusers.safetensors").path,
                                        "--input", folder.appendingPathComponent("x.npy").path, "--timestep", "1",
                                        "--context", folder.appendingPathComponent("context.npy").path, "--out", "/dev/null"])
        #expect(vaeOnly.status == 1 && vaeOnly.stderr.contains("no UNet weights"), "\(vaeOnly.stderr)")
    }

    @Test func vaeEncodeAndDecode() throws {
        let folder = TestPaths.scratchFolder("cnmodel-vae")
        try ReferenceData.generate("vae_reference.py", [folder.path, "--batch", "1"])
        let json = try String(contentsOf: folder.appendingPathComponent("config.json"), encoding: .utf8)
        let yaml = folder.appendingPathComponent("model.yaml")
        try "model:\n  params:\n    first_stage_config:\n      params: \(json)\n".write(to: yaml, atomically: true, encoding: .utf8)
        let weights = folder.appendingPathComponent("weights_ldm.safetensors").path
        let encode = try Self.cnModel(["vae-encode", "--checkpoint", weights, "--config", yaml.path,
                                       "--input", folder.appendingPathComponent("x.npy").path,
                                       "--out", folder.appendingPathComponent("mine_mean.npy").path])
        #expect(encode.status == 0, "\(ChildProcess.report(encode))")
        try Self.check(folder, output: "mine_mean", reference: "mean", label: "vae-encode")
        let decode = try Self.cnModel(["vae-decode", "--checkpoint", weights, "--config", yaml.path,
                                       "--input", folder.appendingPathComponent("z.npy").path,
                                       "--out", folder.appendingPathComponent("mine_decoded.npy").path])
        #expect(decode.status == 0, "\(ChildProcess.report(decode))")
        try Self.check(folder, output: "mine_decoded", reference: "decoded", label: "vae-decode")
    }

    @Test func clipImage() throws {
        let folder = TestPaths.scratchFolder("cnmodel-clip")
        _ = try ReferenceScript.run("clip_reference.py", importing: ["torch", "transformers", "safetensors", "PIL"], [folder.path])
        let run = try Self.cnModel(["clip-image", "--checkpoint", folder.appendingPathComponent("ldm.safetensors").path,
                                    "--input", folder.appendingPathComponent("pixels.npy").path,
                                    "--out", folder.appendingPathComponent("mine.npy").path])
        #expect(run.status == 0, "\(ChildProcess.report(run))")
        try Self.check(folder, output: "mine", reference: "image_embeds", label: "clip-image")
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try Self.cnModel(["sample", "--checkpoint", "x.ckpt"]).status == 2)
        #expect(try Self.cnModel(["unet", "--checkpoint", "x.ckpt", "--timestep", "nope"]).status == 2)
        #expect(try Self.cnModel(["no-such-command"]).status == 2)
        let help = try Self.cnModel(["sample", "--help"])
        #expect(help.status == 0 && help.stdout.contains("--spacing") && help.stdout.contains("ldm, leading"))
        let missing = try Self.cnModel(["info", "--checkpoint", "/nonexistent/model.ckpt"])
        #expect(missing.status == 1 && missing.stderr.contains("does not exist") && missing.stderr.split(separator: "\n").count == 1)
    }

    @Test(arguments: ["posix.system", "builtins.eval"])
    func maliciousPickleIsRefusedAndNothingRuns(global: String) throws {
        let folder = TestPaths.scratchFolder("cnmodel-evil")
        let canary = folder.appendingPathComponent("CANARY").path
        let ckpt = folder.appendingPathComponent("evil.ckpt").path
        let (module, name) = (String(global.split(separator: ".")[0]), String(global.split(separator: ".")[1]))
        let argument = name == "system" ? "touch \(canary)" : "open('\(canary)', 'w').write('x')"
        // A torch-layout archive whose data.pkl calls module.name(argument) through GLOBAL + REDUCE;
        // the script proves the payload works by running it under Python's pickle first.
        let script = """
            import pickle, zipfile, sys
            payload = b"\\x80\\x02}q\\x00X\\x0a\\x00\\x00\\x00state_dictq\\x01c\(module)\\n\(name)\\nq\\x02X" \
            + len(sys.argv[2].encode()).to_bytes(4, "little") + sys.argv[2].encode() + b"\\x85R\\x73."
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_STORED) as z:
                z.writestr("archive/data.pkl", payload)
                z.writestr("archive/version", "3\\n")
            import os
            pickle.loads(payload)  # the payload really runs under Python's own unpickler
            assert os.path.exists(sys.argv[3]), "the payload did not create its canary"
            os.remove(sys.argv[3])
            """
        let python = try Python.interpreter(importing: ["zipfile"])
        let made = try ProcessRunner.run(python, ["-c", script, ckpt, argument, canary])
        #expect(made.status == 0, "\(made.stderr)")
        let run = try Self.cnModel(["info", "--checkpoint", ckpt])
        #expect(run.status == 1)
        #expect(run.stderr.contains(global) || run.stderr.contains(name), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: canary))
    }
}
