import ArgumentParser
import StageCLI
import Tensor

/// `cn-model`: the view-synthesis core (Zero-1-to-3 / CustomNet in Swift) as a command.
struct CNModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cn-model",
        abstract: "Run the Zero-1-to-3 / CustomNet networks of a released checkpoint, part by part or end to end.",
        discussion: """
            Checkpoints: PyTorch .ckpt / .pt / .bin archives (read through a restricted unpickler that \
            refuses anything but tensors and containers) or .safetensors, in ldm naming. --config takes \
            the ldm YAML zero123 and CustomNet ship; without it the released zero123 config is used, and \
            the variant (zero123, CustomNet, CustomNet inpainting) follows from the checkpoint's keys. \
            Each command loads only the parts it uses. Tensors in and out are .npy (float32 or float64).
            """,
        subcommands: [InfoCommand.self, ConvertCommand.self, UNetCommand.self, VAEEncodeCommand.self,
                      VAEDecodeCommand.self, CLIPImageCommand.self, SampleCommand.self])
}

BLASKernels.useDetectedKernels()
StageMain.main(CNModel.self)
