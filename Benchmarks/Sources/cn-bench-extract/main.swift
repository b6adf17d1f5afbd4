import Foundation
import Synchronization
import Imaging

/// `cn-bench-extract PHOTO_LIST [JOBS]`: decodes every JPEG listed (one path a line, repeated as
/// often as objects use it) on JOBS threads and prints the wall time, so scripts/bench/extract can
/// report the share of extraction time that JPEG decoding alone takes (the libjpeg-turbo ceiling).
let arguments = CommandLine.arguments
guard arguments.count >= 2, let text = try? String(contentsOfFile: arguments[1], encoding: .utf8) else {
    FileHandle.standardError.write(Data("usage: cn-bench-extract PHOTO_LIST [JOBS]\n".utf8))
    exit(2)
}
let jobs = arguments.count >= 3 ? max(1, Int(arguments[2]) ?? 2) : 2
let paths = text.split(whereSeparator: \.isNewline).map(String.init)
let files: [[UInt8]] = paths.map { [UInt8](FileManager.default.contents(atPath: $0) ?? Data()) }
let start = DispatchTime.now().uptimeNanoseconds
let failures = Mutex(0)
DispatchQueue.concurrentPerform(iterations: jobs) { worker in
    var index = worker
    while index < files.count {
        do { _ = try JPEG.decodeRGBA(files[index]) } catch { failures.withLock { $0 += 1 } }
        index += jobs
    }
}
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
print(String(format: "decode %d photos on %d threads: %.3f s (%.1f photos/s), %d undecodable", files.count, jobs, seconds,
             Double(files.count) / seconds, failures.withLock { $0 }))
