import Foundation
import Dispatch
import Geometry
import Imaging

/// A value handed to worker threads that the compiler cannot prove shareable; every user only
/// reads it, or writes disjoint parts of the memory it points at.
struct UnsafeShared<T>: @unchecked Sendable { let value: T }

/// A deterministic software rasteriser: z-buffer, perspective-correct interpolation, bilinear
/// texture sampling in linear light, Lambert + ambient shading, OPAQUE/MASK/BLEND, back faces
/// culled unless the material is double-sided, supersampling, row bands over threads. The
/// result depends only on the scene, camera and settings (not on the thread count).
public enum Rasterizer {
    /// Output rows per band (the unit of work of one thread).
    static let bandRows = 16

    /// Renders a flattened scene from one camera (z-buffer, perspective-correct, supersampled):
    /// project, clip at the near plane, cull and bin, then render the row bands.
    public static func render(_ scene: RenderScene, camera: CameraPose, settings: RenderSettings) -> RenderOutput {
        let grid = SampleGrid(settings: settings)
        var vertices = ProjectedVertices(scene: scene, camera: camera, grid: grid)
        let triangles = ClippedTriangles(scene: scene, vertices: &vertices, grid: grid)
        let bands = (settings.height + bandRows - 1) / bandRows
        let bins = TriangleBins(scene: scene, vertices: vertices, triangles: triangles, grid: grid, bands: bands)
        let setup = ViewSetup(scene: scene, src0: vertices.src0,
                              src1: vertices.src1, st: vertices.st, tris: triangles.tris, triOrig: triangles.triOrig,
                              front: bins.front, W: grid.width, H: grid.height, ss: grid.supersampling, settings: settings,
                              light: ShadingLight(settings.light))
        return renderBands(setup, bins: bins, bands: bands)
    }

    /// Renders every band, bands dealt round-robin to `settings.threads` workers, each with its
    /// own scratch buffers; the bands write disjoint rows of the outputs.
    static func renderBands(_ setup: ViewSetup, bins: TriangleBins, bands: Int) -> RenderOutput {
        let settings = setup.settings
        let sampleCount = setup.W * bandRows * setup.ss
        var pixels = [UInt8](repeating: 0, count: settings.width * settings.height * 4)
        var depth = [Float](repeating: 0, count: settings.wantDepth ? settings.width * settings.height : 0)
        var mask = [UInt8](repeating: 0, count: settings.wantMask ? settings.width * settings.height : 0)
        let threads = max(1, min(settings.threads, bands))
        pixels.withUnsafeMutableBufferPointer { pix in
            depth.withUnsafeMutableBufferPointer { dep in
                mask.withUnsafeMutableBufferPointer { msk in
                    let out = UnsafeShared(value: (pix, dep, msk))
                    let binned = UnsafeShared(value: bins)
                    let work: @Sendable (Int) -> Void = { worker in
                        var band = worker
                        var buffers = BandBuffers(count: sampleCount)
                        while band < bands {
                            setup.renderBand(band, setups: binned.value.setups, opaque: binned.value.opaque(band: band), blend: binned.value.blend, buffers: &buffers,
                                             pixels: out.value.0, depth: out.value.1, mask: out.value.2)
                            band += threads
                        }
                    }
                    if threads == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: threads, execute: work) }
                }
            }
        }
        return RenderOutput(image: RGBAImage(width: settings.width, height: settings.height, pixels: pixels),
                            depth: settings.wantDepth ? depth : nil, mask: settings.wantMask ? mask : nil)
    }
}
