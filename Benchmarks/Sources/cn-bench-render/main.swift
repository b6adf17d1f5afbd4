// Renderer throughput: views per second at a given resolution for each asset, on 1 and 2 threads.
// Usage: cn-bench-render [--resolution 256] [--views 24] [--supersampling 2] [--threads 1,2] [--repeats 3]
//                        [--write-cameras FILE.json] [--dump DIR] [--radius MIN,MAX] ASSET...
// --write-cameras saves the camera locations (the same for every asset) so Blender can render the same views.
// --dump writes every view's raw RGBA, mask and depth bytes to DIR (ASSET_tTHREADS_VIEW.rgba/.mask/.depth) instead
// of timing, so renders before and after a renderer change can be compared byte for byte.
// --radius draws the camera distances from U(MIN, MAX) instead of zero123's 1.5 ... 2.2 (below 1: near-plane clipping).
// Prints one JSON object per (asset, threads) line. Each asset is loaded once (load time reported
// apart), then the views are rendered `repeats` times; the best pass counts (the machine may be shared).
import Foundation
import Geometry
import Assets
import Raster
import Support

var resolution = 256, views = 24, supersampling = 2, repeats = 3
var threadCounts = [1, 2]
var assets: [String] = []
var camerasPath: String?
var dumpPath: String?
var cameras = CameraSampling.zero123
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let a = arguments.removeFirst()
    switch a {
    case "--resolution": resolution = Int(arguments.removeFirst())!
    case "--views": views = Int(arguments.removeFirst())!
    case "--supersampling": supersampling = Int(arguments.removeFirst())!
    case "--repeats": repeats = Int(arguments.removeFirst())!
    case "--write-cameras": camerasPath = arguments.removeFirst()
    case "--dump": dumpPath = arguments.removeFirst()
    case "--radius":
        let r = arguments.removeFirst().split(separator: ",").map { Double($0)! }
        cameras = .zero123Random(minRadius: r[0], maxRadius: r[1])
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
func fmt(_ x: Double) -> String { String(format: "%.4f", x) }

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
    let poses = cameras.poses(count: views, rng: &rng)
    if let camerasPath {
        let data = try! JSONSerialization.data(withJSONObject: poses.map { $0.location.array })
        try! data.write(to: URL(fileURLWithPath: camerasPath))
    }
    if let dumpPath {
        for threads in threadCounts {
            let settings = RenderSettings(width: resolution, height: resolution, supersampling: supersampling, threads: threads,
                                          wantDepth: true, wantMask: true)
            for (i, pose) in poses.enumerated() {
                let out = AssetRenderer.render(prepared, camera: pose, settings: settings)
                let base = dumpPath + "/\(url.lastPathComponent)_t\(threads)_\(i)"
                try! Data(out.image.pixels).write(to: URL(fileURLWithPath: base + ".rgba"))
                try! Data(out.mask ?? []).write(to: URL(fileURLWithPath: base + ".mask"))
                try! (out.depth ?? []).withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: base + ".depth"))
            }
        }
        continue
    }
    for threads in threadCounts {
        let settings = RenderSettings(width: resolution, height: resolution, supersampling: supersampling, threads: threads)
        _ = AssetRenderer.render(prepared, camera: poses[0], settings: settings)  // warm-up
        var seconds = Double.infinity, cpuSeconds = Double.infinity
        var checksum = 0
        for _ in 0..<max(1, repeats) {
            let start = now(), cpuStart = cpuNow()
            checksum = 0
            for pose in poses {
                let out = AssetRenderer.render(prepared, camera: pose, settings: settings)
                checksum &+= Int(out.image.pixels[(resolution / 2 * resolution + resolution / 2) * 4 + 3])
            }
            seconds = min(seconds, now() - start)
            cpuSeconds = min(cpuSeconds, cpuNow() - cpuStart)
        }
        var fields: [String] = []
        fields.append("\"asset\": \"\(url.lastPathComponent)\"")
        fields.append("\"triangles\": \(prepared.triangleCount)")
        fields.append("\"threads\": \(threads)")
        fields.append("\"resolution\": \(resolution)")
        fields.append("\"supersampling\": \(supersampling)")
        fields.append("\"views\": \(views)")
        fields.append("\"load_seconds\": \(fmt(loadSeconds))")
        fields.append("\"render_seconds\": \(fmt(seconds))")
        fields.append("\"views_per_second\": \(String(format: "%.2f", Double(views) / seconds))")
        fields.append("\"cpu_seconds\": \(fmt(cpuSeconds))")
        fields.append("\"views_per_cpu_second\": \(String(format: "%.2f", Double(views) / cpuSeconds))")
        fields.append("\"checksum\": \(checksum)")
        print("{" + fields.joined(separator: ", ") + "}")
    }
}
