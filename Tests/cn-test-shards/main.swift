// cn-test-shards PAYLOAD_DIR OUT_DIR [MAX_SAMPLES] [MAX_BYTES] [PAUSE_MS] [SHARDS_IN_FLIGHT]
// Loads every `{key}.{field}` file of PAYLOAD_DIR into memory (grouped by key, fields in
// CustomNet's order), then times ShardSequenceWriter writing them as split "train" into OUT_DIR
// (tar + fsync + rename + index, SHA-256 included). Prints one JSON line: wall seconds and the
// CPU seconds (user + system, all threads) the writing took. Used by scripts/bench/shards and the SIGKILL-mid-shard test (ShardsTests), so it lives with the tests in the main package.
// PAUSE_MS sleeps after each sample, so the kill test can SIGKILL it in the middle of a shard.
// SHARDS_IN_FLIGHT (default 2) is ShardSequenceWriter's: 2 publishes a closed shard in the background.
import Foundation
import Shards

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: cn-test-shards PAYLOAD_DIR OUT_DIR [MAX_SAMPLES] [MAX_BYTES] [PAUSE_MS] [SHARDS_IN_FLIGHT]\n".utf8))
    exit(2)
}
let payload = arguments[1], out = arguments[2]
let maxSamples = arguments.count > 3 ? Int(arguments[3]) ?? 10_000 : 10_000
let maxBytes = arguments.count > 4 ? Int(arguments[4]) ?? (1 << 30) : (1 << 30)
let pauseMicroseconds = arguments.count > 5 ? UInt32(Int(arguments[5]) ?? 0) * 1000 : 0
let shardsInFlight = max(1, arguments.count > 6 ? Int(arguments[6]) ?? 2 : 2)
/// User + system CPU seconds of this process so far, all threads (getrusage).
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let total = [usage.ru_utime, usage.ru_stime].reduce(0.0) { $0 + Double($1.tv_sec) + Double($1.tv_usec) / 1e6 }
    return total
}

let order = ["target.png", "target.jpg", "ref.png", "concat.png", "txt", "json"]
do {
    let names = try FileManager.default.contentsOfDirectory(atPath: payload).sorted()
    var grouped: [String: [(String, [UInt8])]] = [:]
    for name in names where !name.hasPrefix(".") {
        guard let dot = name.firstIndex(of: ".") else { continue }
        let key = String(name[..<dot]), field = String(name[name.index(after: dot)...])
        let bytes = [UInt8](FileManager.default.contents(atPath: payload + "/" + name) ?? Data())
        grouped[key, default: []].append((field, bytes))
    }
    let samples = try grouped.keys.sorted().map { key in
        try WebDatasetSample(key: key, fields: grouped[key]!.sorted { (order.firstIndex(of: $0.0) ?? 99) < (order.firstIndex(of: $1.0) ?? 99) }
            .map { (name: $0.0, bytes: $0.1) })
    }
    let start = DispatchTime.now().uptimeNanoseconds, cpuStart = cpuSeconds()
    let writer = try ShardSequenceWriter(folder: out, split: "train", limits: ShardLimits(maxSamples: maxSamples, maxBytes: maxBytes),
                                         shardsInFlight: shardsInFlight)
    for sample in samples {
        try writer.append(sample)
        if pauseMicroseconds > 0 { usleep(pauseMicroseconds) }
    }
    let indexes = try writer.finish()
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, cpu = cpuSeconds() - cpuStart
    let bytes = indexes.reduce(0) { $0 + $1.byteCount }
    print("{\"writer\":\"swift-shards\",\"shards_in_flight\":\(shardsInFlight),\"samples\":\(samples.count),\"shards\":\(indexes.count),\"bytes\":\(bytes),\"seconds\":\(seconds),\"cpu_seconds\":\(cpu),\"mb_per_s\":\(Double(bytes) / seconds / 1e6)}")
} catch {
    FileHandle.standardError.write(Data("cn-test-shards: \(error)\n".utf8))
    exit(1)
}
