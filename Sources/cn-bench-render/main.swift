// Renderer throughput: views per second at a given resolution for each asset, on 1 and 2 threads.
// Usage: cn-bench-render [--resolution 256] [--views 24] [--supersampling 2] [--threads 1,2] ASSET...
// Prints one JSON object per (asset, threads) line.
import Foundation
import Geometry
import Assets
import Raster
import Support

var resolution = 256, views = 24, supersampling = 2
var threadCounts = [1, 2]
var assets: [String] = []
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let a = arguments.removeFirst()
    switch a {
    case "--resolution": resolution = Int(arguments.removeFirst())!
    case "--views": views = Int(arguments.removeFirst())!
    case "--supersampling": supersampling = Int(arguments.removeFirst())!
    case "--threads": threadCounts = arguments.removeFirst().split(separator: ",").map { Int($0)! }
    default: assets.append(a)
    }
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
/// Process CPU seconds (all threads): robust against other load on a shared machine.
func cpuNow() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

for path in assets {
    let url = URL(fileURLWithPath: path)
    let t0 = now()
    let prepared: PreparedAsset
    do { prepared = try AssetRenderer.prepare(assetAt: url) } catch {
        print("{\"asset\": \"\(url.lastPathComponent)\", \"error\": \"\(oneLine(error))\"}")
        continue
    }
    let loadSeconds = now() - t0
    var rng = SeededRandom(seed: 7)
    let poses = CameraSampling.zero123.poses(count: views, rng: &rng)
    for threads in threadCounts {
        let settings = RenderSettings(width: resolution, height: resolution, supersampling: supersampling, threads: threads)
        _ = AssetRenderer.render(prepared, camera: poses[0], settings: settings)  // warm-up
        let start = now(), cpuStart = cpuNow()
        var checksum = 0
        for pose in poses {
            let out = AssetRenderer.render(prepared, camera: pose, settings: settings)
            checksum &+= Int(out.image.pixels[(resolution / 2 * resolution + resolution / 2) * 4 + 3])
        }
        let seconds = now() - start, cpuSeconds = cpuNow() - cpuStart
        print("{\"asset\": \"\(url.lastPathComponent)\", \"triangles\": \(prepared.triangleCount), \"threads\": \(threads), " +
              "\"resolution\": \(resolution), \"supersampling\": \(supersampling), \"views\": \(views), " +
              "\"load_seconds\": \(String(format: "%.4f", loadSeconds)), \"render_seconds\": \(String(format: "%.4f", seconds)), " +
              "\"views_per_second\": \(String(format: "%.2f", Double(views) / seconds)), " +
              "\"cpu_seconds\": \(String(format: "%.4f", cpuSeconds)), \"views_per_cpu_second\": \(String(format: "%.2f", Double(views) / cpuSeconds)), " +
              "\"checksum\": \(checksum)}")
    }
}
