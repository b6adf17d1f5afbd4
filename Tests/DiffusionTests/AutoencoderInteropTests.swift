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
    /// What vae_reference.py wrote, read into memory once for the suite (its folder is removed).
    struct Reference: Sendable {
        let configuration: AutoencoderConfiguration
        let weights: [AutoencoderNaming: [String: Tensor]]
        let arrays: [String: (values: [Double], shape: [Int])]

        func tensor(_ name: String) -> Tensor {
            let array = arrays[name]!
            return Tensor(shape: array.shape, data: array.values.map(Float.init))
        }

        func doubles(_ name: String) -> (values: [Double], shape: [Int]) { arrays[name]! }
    }

    static let reference: Result<Reference, any Error> = Result {
        let folder = TestPaths.scratchFolder("vae-reference")
        defer { try? FileManager.default.removeItem(at: folder) }
        try AutoencoderReference.runScript("vae_reference.py", [folder.path])
        let configuration = try JSONDecoder().decode(AutoencoderConfiguration.self,
                                                     from: Data(contentsOf: folder.appendingPathComponent("config.json")))
        var weights: [AutoencoderNaming: [String: Tensor]] = [:]
        for naming in AutoencoderNaming.allCases {
            weights[naming] = try Safetensors.read(folder.appendingPathComponent("weights_\(naming.rawValue).safetensors").path).tensors
        }
        var arrays: [String: (values: [Double], shape: [Int])] = [:]
        for name in ["x", "z", "noise", "mean", "logvar", "sample", "decoded"] {
            arrays[name] = try AutoencoderReference.doubles(folder, name)
        }
        return Reference(configuration: configuration, weights: weights, arrays: arrays)
    }

    static let tolerance = 1e-4

    func model(_ reference: Reference, naming: AutoencoderNaming) throws -> AutoencoderKL {
        let vae = try AutoencoderKL(reference.configuration)
        let report = try vae.loadCheckpoint(TensorDictionary(reference.weights[naming]!), naming: naming)
        #expect(report.loaded == vae.namedParameters().count && report.missing.isEmpty && report.unexpected.isEmpty)
        return vae
    }

    @Test func encodeAndDecodeMatchDiffusers() throws {
        let reference = try Self.reference.get()
        let vae = try model(reference, naming: .ldm)
        let x = reference.tensor("x")
        let posterior = try vae.encode(x)
        let mean = AutoencoderReference.relativeL2(posterior.mean, reference.doubles("mean"))
        let logvar = AutoencoderReference.relativeL2(posterior.logvar, reference.doubles("logvar"))
        // Channels 0 and 1 have clamped log-variances (std e^10 and e^-15): compare the others.
        let drawn = posterior.sample(noise: reference.tensor("noise"))
        let sample = AutoencoderReference.relativeL2(AutoencoderReference.channels(drawn, 2..<4),
                                                     AutoencoderReference.channels(reference.doubles("sample"), 2..<4))
        let decoded = AutoencoderReference.relativeL2(try vae.decode(reference.tensor("z")),
                                                      reference.doubles("decoded"))
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
        let reference = try Self.reference.get()
        let ldm = try model(reference, naming: .ldm), diffusers = try model(reference, naming: .diffusers)
        #expect(ldm.stateDict() == diffusers.stateDict())
        let x = reference.tensor("x"), z = reference.tensor("z")
        #expect(try ldm.encode(x) == diffusers.encode(x))
        #expect(try ldm.decode(z) == diffusers.decode(z))
    }

    @Test func ldmToDiffusersReproducesTheDiffusersFile() throws {
        let reference = try Self.reference.get()
        let ldm = reference.weights[.ldm]!, diffusers = reference.weights[.diffusers]!
        let converted = try TransformedSource(TensorDictionary(ldm), transforms: AutoencoderKeys.ldmToDiffusers(levels: 4))
        #expect(Set(converted.keys) == Set(diffusers.keys))
        for key in diffusers.keys.sorted() {
            #expect(try converted.tensor(key) == diffusers[key], "\(key) differs after ldm -> diffusers")
        }
    }

    @Test func inferenceKeepsNoGradients() throws {
        let reference = try Self.reference.get()
        let vae = try model(reference, naming: .ldm)
        _ = try vae.decode(reference.tensor("z"))
        #expect(vae.parameters.allSatisfy { !$0.hasGradient })
    }
}
