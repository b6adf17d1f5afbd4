// cn-bench-codecs: throughput of the Imaging codecs on given files (PNG decode/encode, JPEG
// decode/encode). Run through scripts/bench/codecs, which also runs Pillow and tjbench on the
// same files. Output: one line per operation,
// "RESULT <op> <images/s> <Mpixel/s> <images per CPU-second> <Mpixel per CPU-second>": the wall-clock
// rate and the rate per second of this process's CPU time (robust when other jobs share the cores).
import Foundation
import Imaging

struct Arguments {
    var jpeg = ""
    var png = ""
    var seconds = 2.0
    var rounds = 3
    var only: String? = nil
}

func parse() -> Arguments {
    var args = Arguments()
    var it = CommandLine.arguments.dropFirst().makeIterator()
    while let a = it.next() {
        switch a {
        case "--jpeg": args.jpeg = it.next() ?? ""
        case "--png": args.png = it.next() ?? ""
        case "--seconds": args.seconds = Double(it.next() ?? "") ?? 2
        case "--rounds": args.rounds = Int(it.next() ?? "") ?? 3
        case "--only": args.only = it.next()
        default:
            FileHandle.standardError.write(Data("usage: cn-bench-codecs --jpeg FILE --png FILE [--seconds S] [--rounds N]\n".utf8))
            exit(2)
        }
    }
    if args.jpeg.isEmpty || args.png.isEmpty {
        FileHandle.standardError.write(Data("usage: cn-bench-codecs --jpeg FILE --png FILE [--seconds S] [--rounds N]\n".utf8))
        exit(2)
    }
    return args
}

/// CPU time of this process in seconds (CLOCK_PROCESS_CPUTIME_ID; the benchmark is single-threaded).
func cpuSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// Best wall-clock and best CPU-time rate over `rounds` rounds of at least `seconds` each (the best
/// round is the least disturbed by the other processes on a shared machine).
func measure(_ name: String, pixels: Int, seconds: Double, rounds: Int, _ body: () throws -> Void) rethrows {
    if let only = args.only, only != name { return }
    try body() // warm-up
    var best = 0.0, bestCPU = 0.0
    let clock = ContinuousClock()
    for _ in 0..<rounds {
        var count = 0
        let start = clock.now
        let cpuStart = cpuSeconds()
        var elapsed = 0.0
        repeat {
            try body()
            count += 1
            let d = clock.now - start
            elapsed = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        } while elapsed < seconds
        best = max(best, Double(count) / elapsed)
        bestCPU = max(bestCPU, Double(count) / max(1e-9, cpuSeconds() - cpuStart))
    }
    print(String(format: "RESULT %@ %.2f %.2f %.2f %.2f", name, best, best * Double(pixels) / 1e6,
                 bestCPU, bestCPU * Double(pixels) / 1e6))
}

let args = parse()
do {
    let jpegBytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: args.jpeg)))
    let pngBytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: args.png)))
    let header = try JPEG.readHeader(jpegBytes)
    let jpegPixels = header.width * header.height
    let png = try PNG.decode(pngBytes)
    let pngPixels = png.width * png.height
    let rgba = try JPEG.decodeRGBA(jpegBytes)

    try measure("jpeg-decode-rgb", pixels: jpegPixels, seconds: args.seconds, rounds: args.rounds) {
        _ = try JPEG.decodeRGB(jpegBytes)
    }
    var reused = RGBAImage(width: 1, height: 1)
    try measure("jpeg-decode-rgba-reuse", pixels: jpegPixels, seconds: args.seconds, rounds: args.rounds) {
        try JPEG.decodeRGBA(jpegBytes, into: &reused)
    }
    try measure("jpeg-decode-rgba", pixels: jpegPixels, seconds: args.seconds, rounds: args.rounds) {
        _ = try JPEG.decodeRGBA(jpegBytes)
    }
    try measure("jpeg-encode", pixels: jpegPixels, seconds: args.seconds, rounds: args.rounds) {
        _ = try JPEG.encode(rgba, options: JPEGEncodeOptions(quality: 90, subsampling: .s420))
    }
    // resampling: the sizes cn-extract uses (1024x768 photo -> 256x192; 200-pixel object -> 512)
    measure("resize-area-down", pixels: jpegPixels, seconds: args.seconds, rounds: args.rounds) {
        _ = rgba.resized(width: 256, height: 192, filter: .area)
    }
    let small = rgba.resized(width: 256, height: 192, filter: .area)
    measure("resize-bicubic-up", pixels: 512 * 384, seconds: args.seconds, rounds: args.rounds) {
        _ = small.resized(width: 512, height: 384, filter: .bicubic)
    }
    // mask analysis on a 1024x768 mask holding one large disc and a few specks
    var mask = GrayImage(width: 1024, height: 768)
    for y in 0..<768 { for x in 0..<1024 where (x - 500) * (x - 500) + (y - 380) * (y - 380) < 300 * 300 { mask[x, y] = 255 } }
    for i in 0..<50 { mask[(i * 97) % 1024, (i * 61) % 768] = 255 }
    measure("mask-components-8", pixels: 1024 * 768, seconds: args.seconds, rounds: args.rounds) {
        _ = ConnectedComponents(mask).largestShare
    }
    measure("mask-bbox", pixels: 1024 * 768, seconds: args.seconds, rounds: args.rounds) {
        _ = mask.boundingBox()
    }
    measure("mask-resize-nearest", pixels: 1600 * 1200, seconds: args.seconds, rounds: args.rounds) {
        _ = mask.resized(width: 1600, height: 1200)
    }
    try measure("png-decode", pixels: pngPixels, seconds: args.seconds, rounds: args.rounds) {
        _ = try PNG.decode(pngBytes)
    }
    try measure("png-decode-rgba", pixels: pngPixels, seconds: args.seconds, rounds: args.rounds) {
        _ = try PNG.decodeRGBA(pngBytes)
    }
    try measure("png-encode", pixels: pngPixels, seconds: args.seconds, rounds: args.rounds) {
        _ = try PNG.encode(png)
    }
} catch {
    FileHandle.standardError.write(Data("cn-bench-codecs: \(error)\n".utf8))
    exit(1)
}
