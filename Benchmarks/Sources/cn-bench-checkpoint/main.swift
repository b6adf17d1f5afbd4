// Measures reading a torch.save checkpoint through NN's TorchCheckpoint (scripts/bench/checkpoint_load
// runs it next to `torch.load(mmap=True)`): open time, time to read every tensor as float32, and
// peak RSS (VmHWM from /proc/self/status, the figure the kernel keeps for the process).
import Foundation
import NN
import Tensor

/// A field of /proc/self/status in kB (VmHWM, VmRSS), 0 when unavailable.
func statusKilobytes(_ field: String) -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
    }
    return 0
}

let arguments = CommandLine.arguments.dropFirst()
guard let path = arguments.first else {
    FileHandle.standardError.write(Data("usage: cn-bench-checkpoint FILE.ckpt [--ema]\n".utf8))
    exit(2)
}
let baseline = statusKilobytes("VmHWM")
let clock = ContinuousClock()
do {
    let opened = clock.now
    let checkpoint = try TorchCheckpoint(path: path)
    let source: any TensorSource = arguments.contains("--ema") ? try EMAWeights(checkpoint) : checkpoint
    let openSeconds = (clock.now - opened) / .seconds(1)
    let afterOpen = statusKilobytes("VmHWM")
    let reading = clock.now
    var values = 0
    var checksum: Double = 0
    for key in source.keys {
        let t = try source.tensor(key)
        values += t.count
        checksum += Double(t.data.first ?? 0)
    }
    let readSeconds = (clock.now - reading) / .seconds(1)
    print("SWIFT_TENSORS=\(source.keys.count)")
    print("SWIFT_VALUES=\(values)")
    print("SWIFT_CHECKSUM=\(checksum)")
    print("SWIFT_OPEN_S=\(openSeconds)")
    print("SWIFT_READ_S=\(readSeconds)")
    print("SWIFT_BASE_KB=\(baseline)")
    print("SWIFT_OPEN_HWM_KB=\(afterOpen)")
    print("SWIFT_HWM_KB=\(statusKilobytes("VmHWM"))")
} catch {
    FileHandle.standardError.write(Data("cn-bench-checkpoint: \(error)\n".utf8))
    exit(1)
}
