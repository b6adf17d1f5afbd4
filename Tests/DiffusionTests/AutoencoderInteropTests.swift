import Foundation
import NN
import Support
import Tensor
import Testing
import TestSupport
@testable import Diffusion

/// The Swift VAE against diffusers' AutoencoderKL (random perturbed weights, reduced width
/// 32/64/64/64, float64 reference, scripts/interop/vae_reference.py), loaded once in ldm naming
/// and once in diffusers naming through `AutoencoderKeys`.
@Suite("AutoencoderKL against diffusers") struct AutoencoderInteropTests {
    /// The reference folder, built once for the suite.
    static let reference: Result<URL, any Error> = Result {
        let folder = TestPaths.scratchFolder("vae-reference")
        try AutoencoderReference.runScript("vae_reference.py", [folder.path])
        return folder
    }

    static let tolerance = 1e-4

    func configuration(_ folder: URL) throws -> AutoencoderConfiguration {
        try JSONDecoder().decode(AutoencoderConfiguration.self, from: Data(contentsOf: folder.appendingPathComponent("config.json")))
    }

    func model(_ folder: URL, naming: AutoencoderNaming) throws -> AutoencoderKL {
        let vae = try AutoencoderKL(configuration(folder))
        let file = naming == .ldm ? "weights_ldm.safetensors" : "weights_diffusers.safetensors"
        let source = TensorDictionary(try Safetensors.read(folder.appendingPathComponent(file).path).tensors)
        let report = try vae.loadCheckpoint(source, naming: naming)
        #expect(report.loaded == vae.namedParameters().count && report.missing.isEmpty && report.unexpected.isEmpty)
        return vae
    }

    @Test func encodeAndDecodeMatchDiffusers() throws {
        let folder = try Self.reference.get()
        let vae = try model(folder, naming: .ldm)
        let x = try AutoencoderReference.tensor(folder, "x")
        let posterior = try vae.encode(x)
        let mean = AutoencoderReference.relativeL2(posterior.mean, try AutoencoderReference.doubles(folder, "mean"))
        let logvar = AutoencoderReference.relativeL2(posterior.logvar, try AutoencoderReference.doubles(folder, "logvar"))
        // Channels 0 and 1 have clamped log-variances (std e^10 and e^-15): compare the others.
        let drawn = posterior.sample(noise: try AutoencoderReference.tensor(folder, "noise"))
        let sample = AutoencoderReference.relativeL2(AutoencoderReference.channels(drawn, 2..<4),
                                                     AutoencoderReference.channels(try AutoencoderReference.doubles(folder, "sample"), 2..<4))
        let decoded = AutoencoderReference.relativeL2(try vae.decode(try AutoencoderReference.tensor(folder, "z")),
                                                      try AutoencoderReference.doubles(folder, "decoded"))
        print("VAE reduced width vs diffusers float64: mean \(mean), logvar \(logvar), sample \(sample), decode \(decoded)")
        #expect(mean < Self.tolerance)
        #expect(logvar < Self.tolerance)
        #expect(sample < Self.tolerance)
        #expect(decoded < Self.tolerance)
        #expect(posterior.mode() == posterior.mean)
        // The reference pushes logvar channel 0 above 20 and channel 1 below -30.
        let plane = posterior.logvar.shape[2] * posterior.logvar.shape[3]
        #expect(posterior.logvar.data[0..<plane].allSatisfy { $0 == 20 })
        #expect(posterior.logvar.data[plane..<(2 * plane)].allSatisfy { $0 == -30 })
    }

    @Test func diffusersNamingLoadsTheSameWeights() throws {
        let folder = try Self.reference.get()
        let ldm = try model(folder, naming: .ldm), diffusers = try model(folder, naming: .diffusers)
        #expect(ldm.stateDict() == diffusers.stateDict())
        let x = try AutoencoderReference.tensor(folder, "x"), z = try AutoencoderReference.tensor(folder, "z")
        #expect(try ldm.encode(x) == diffusers.encode(x))
        #expect(try ldm.decode(z) == diffusers.decode(z))
    }

    @Test func ldmToDiffusersReproducesTheDiffusersFile() throws {
        let folder = try Self.reference.get()
        let ldm = try Safetensors.read(folder.appendingPathComponent("weights_ldm.safetensors").path).tensors
        let diffusers = try Safetensors.read(folder.appendingPathComponent("weights_diffusers.safetensors").path).tensors
        let converted = try TransformedSource(TensorDictionary(ldm), transforms: AutoencoderKeys.ldmToDiffusers(levels: 4))
        #expect(Set(converted.keys) == Set(diffusers.keys))
        for key in diffusers.keys.sorted() {
            #expect(try converted.tensor(key) == diffusers[key], "\(key) differs after ldm -> diffusers")
        }
    }

    @Test func inferenceKeepsNoGradients() throws {
        let folder = try Self.reference.get()
        let vae = try model(folder, naming: .ldm)
        _ = try vae.decode(try AutoencoderReference.tensor(folder, "z"))
        #expect(vae.parameters.allSatisfy { !$0.hasGradient })
    }
}
