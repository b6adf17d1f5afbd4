import Foundation
import Testing
import Support
import Tensor
import NN
import TestSupport
@testable import Diffusion

/// The Swift UNet against diffusers' UNet2DConditionModel with the same random weights (float64
/// reference), at reduced width, in the ldm checkpoint layout; CustomNet's dual attention against
/// a PyTorch processor implementing its formula.
@Suite("UNet numerics")
struct UNetTests {
    static func configuration(variant: String) -> UNetConfiguration {
        var c = UNetConfiguration()
        c.modelChannels = 32
        c.channelMult = [1, 2, 2, 2]
        c.contextDim = 32
        c.imageSize = 8
        c.inChannels = variant == "inpaint" ? 12 : 8
        c.dualCrossAttention = variant != "zero123"
        return c
    }

    @Test(arguments: ["zero123", "customnet", "inpaint"])
    func matchesDiffusers(variant: String) throws {
        let folder = TestPaths.scratchFolder("unet-\(variant)")
        try ReferenceData.generate("unet_reference.py", [folder.path, "--variant", variant])
        var random = SeededRandom(seed: 1)
        let unet = UNetModel(Self.configuration(variant: variant), random: &random)
        let weights = try Safetensors.read(folder.appendingPathComponent("weights.safetensors").path).tensors
        let report = try unet.load(from: TensorDictionary(weights), prefix: "model.diffusion_model")
        #expect(report.loaded == unet.parameters.count)
        let x = try ReferenceData.tensor(folder, "x"), context = try ReferenceData.tensor(folder, "context")
        let t = try ReferenceData.values(folder, "t").values.map { Float($0) }
        let eps = InferenceMode.run { unet.forward(x, timesteps: t, context: context) }
        let reference = try ReferenceData.values(folder, "eps")
        #expect(eps.shape == reference.shape)
        let error = ReferenceData.relativeL2(eps.data, reference.values)
        print("UNet \(variant): relative L2 \(error)")
        #expect(error < 1e-4)
    }
}

/// ldm <-> diffusers names of the UNet, checked on diffusers' own state dict.
@Suite("UNet naming")
struct UNetNamingTests {
    @Test func diffusersFileLoadsAsTheLDMFile() throws {
        let folder = TestPaths.scratchFolder("unet-naming")
        try ReferenceData.generate("unet_reference.py", [folder.path, "--variant", "customnet", "--batch", "1"])
        let c = UNetTests.configuration(variant: "customnet")
        let ldm = try Safetensors.read(folder.appendingPathComponent("weights.safetensors").path).tensors
        let diffusers = try Safetensors.read(folder.appendingPathComponent("diffusers.safetensors").path).tensors
        let asLDM = try TransformedSource(TensorDictionary(diffusers),
                                          transforms: UNetNaming.diffusersToLDM(c, ldmPrefix: "model.diffusion_model."))
        #expect(asLDM.keys == ldm.keys.sorted())
        for key in ldm.keys { #expect(try asLDM.tensor(key) == ldm[key]!, "\(key)") }
        let asDiffusers = try TransformedSource(TensorDictionary(ldm),
                                                transforms: UNetNaming.ldmToDiffusers(c, ldmPrefix: "model.diffusion_model."))
        #expect(asDiffusers.keys == diffusers.keys.sorted())
    }
}
