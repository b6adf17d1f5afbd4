import Foundation
import Shards
import Support
import TestSupport
import Testing
import Geometry
import Imaging

@Suite("CustomNet concat construction and inverse pose")
struct ConcatTests {
    /// A 256x256 reference with smooth gradients, hard edges and a white border like a real cut-out canvas.
    static func reference() throws -> RGBAImage {
        var bytes = [UInt8](repeating: 255, count: 256 * 256 * 3)
        for y in 28..<228 {
            for x in 40..<216 {
                let i = (y * 256 + x) * 3
                bytes[i] = UInt8((x * 3 + y) % 256)
                bytes[i + 1] = (x / 16 + y / 16) % 2 == 0 ? 30 : 220
                bytes[i + 2] = UInt8((x * y / 97) % 256)
            }
        }
        return RGBAImage(packedRGB: bytes, width: 256, height: 256)
    }

    static let cases: [(bbox: PixelBox, width: Int, height: Int)] = {
        var list: [(PixelBox, Int, Int)] = [
            (PixelBox(x: 22, y: 37, width: 212, height: 121), 256, 256),      // CustomNet's example car
            (PixelBox(x: 0, y: 0, width: 640, height: 480), 640, 480),         // whole photo: clipped on all sides
            (PixelBox(x: 300, y: 200, width: 40, height: 90), 640, 480),       // shrink-free small box
            (PixelBox(x: 5, y: 400, width: 600, height: 70), 640, 480),        // wide, clipped bottom
            (PixelBox(x: 1000, y: 10, width: 24, height: 760), 1024, 768),     // tall, clipped top/bottom, right edge
            (PixelBox(x: 0, y: 0, width: 0, height: 0), 512, 512),             // degenerate: CustomNet falls back
            (PixelBox(x: 10, y: 10, width: 1, height: 1), 512, 512),           // rounds to zero: falls back
            (PixelBox(x: 100, y: 100, width: 3, height: 3), 256, 256),         // tiny
        ]
        var random = SeededRandom(seed: 11)
        for _ in 0..<40 {
            let w = 64 + random.integer(below: 1000), h = 64 + random.integer(below: 1000)
            let bw = 1 + random.integer(below: w), bh = 1 + random.integer(below: h)
            list.append((PixelBox(x: random.integer(below: w - bw + 1), y: random.integer(below: h - bh + 1), width: bw, height: bh), w, h))
        }
        return list
    }()

    @Test("layout of CustomNet's example box follows the loader's integer arithmetic")
    func layout() throws {
        let layout = try #require(try ConcatLayout.compute(bbox: PixelBox(x: 22, y: 37, width: 212, height: 121), imageWidth: 256, imageHeight: 256))
        #expect(layout.side == 270)
        let destination: [Int] = [layout.x0, layout.y0, layout.x1, layout.y1]
        let source: [Int] = [layout.sx0, layout.sy0, layout.sx1, layout.sy1]
        #expect(destination == [0, 0, 256, 231])
        #expect(source == [7, 36, 251, 256])
        #expect(try ConcatLayout.compute(bbox: PixelBox(x: 0, y: 0, width: 0, height: 0), imageWidth: 9, imageHeight: 9) == nil)
        #expect(throws: ShardError.self) { try ConcatLayout.compute(bbox: PixelBox(x: 0, y: 0, width: 1, height: 1), imageWidth: 0, imageHeight: 9) }
        // A centred 200-px reference in a box of 200/256 of the canvas comes back at its own size: the framing is undone.
        let centred = try #require(try ConcatLayout.compute(bbox: PixelBox(x: 28, y: 28, width: 200, height: 200), imageWidth: 255, imageHeight: 255))
        #expect(centred.side == 256 && centred.x0 == 28 - 28 && centred.x1 == 256)
        let ref = try Self.reference()
        #expect(try ConcatBuilder.build(flatReference: ref, bbox: PixelBox(x: 0, y: 0, width: 0, height: 0), imageWidth: 9, imageHeight: 9) == ref)
        #expect(throws: ShardError.self) {
            try ConcatBuilder.build(flatReference: RGBAImage(width: 128, height: 128, fill: .white), bbox: PixelBox(x: 0, y: 0, width: 5, height: 5), imageWidth: 9, imageHeight: 9)
        }
    }

    @Test("an independent Python (Pillow + numpy) construction agrees within 1 level per pixel")
    func pythonAgrees() throws {
        let folder = TestPaths.scratchFolder("concat-interop").path
        let reference = try Self.reference()
        try AtomicFile.write(NPY.encode(float32: reference.packedRGB.map(Float.init), shape: [256, 256, 3]), to: folder + "/ref.npy")
        let spec = JSONValue.object([
            "reference": .string(folder + "/ref.npy"), "out": .string(folder + "/out.npy"), "pil_out": .string(folder + "/pil.npy"),
            "cases": .array(Self.cases.map { .object(["bbox": .ints($0.bbox.components), "size": .ints([$0.width, $0.height])]) }),
        ])
        try AtomicFile.write(try spec.encoded(), to: folder + "/spec.json")
        let result = try PythonRunner.runScript("customnet_concat.py", [folder + "/spec.json"])
        try #require(result.status == 0, "customnet_concat.py failed:\n\(result.out)\n\(result.err)")
        print("customnet_concat.py: \(result.out.trimmingCharacters(in: .whitespacesAndNewlines))")
        let python = try NPY.decode(SampleFactory.bytes(folder + "/out.npy"))
        #expect(python.shape == [Self.cases.count, 256, 256, 3])
        var worst = 0, differing = 0
        let plane = 256 * 256 * 3
        for (index, item) in Self.cases.enumerated() {
            let swift = try ConcatBuilder.build(flatReference: reference, bbox: item.bbox, imageWidth: item.width, imageHeight: item.height).packedRGB
            var caseWorst = 0
            for i in 0..<plane {
                let d = abs(Int(swift[i]) - Int(python.values[index * plane + i]))
                caseWorst = max(caseWorst, d)
                if d > 0 { differing += 1 }
            }
            #expect(caseWorst <= 1, "case \(index) bbox \(item.bbox.components) in \(item.width)x\(item.height): max difference \(caseWorst)")
            worst = max(worst, caseWorst)
        }
        print("swift vs python concat: max difference \(worst) level(s), \(differing) of \(Self.cases.count * plane) values differ")
    }

    @Test("inverse pose T = [rad(-x), sin rad(-y), cos rad(-y), -z] matches Python's math")
    func inversePose() throws {
        let t = RelativePose.inverseOfOffset(polarDegrees: 59, azimuthDegrees: 48, radius: 0)
        let script = "import math; x,y,z=59,48,0; print(repr(math.radians(-x)), repr(math.sin(math.radians(-y))), repr(math.cos(math.radians(-y))), repr(float(-z)))"
        let result = try PythonRunner.run(executable: try PythonRunner.interpreter(), ["-c", script])
        let values = result.out.split(separator: " ").map { Double($0.trimmingCharacters(in: .whitespacesAndNewlines))! }
        #expect(values.count == 4)
        #expect(abs(t.polar - values[0]) <= 1e-15 && abs(t.azimuthSin - values[1]) <= 1e-15 && abs(t.azimuthCos - values[2]) <= 1e-15)
        #expect(t.radius == 0)
        #expect(abs(t.polar + 59 * Double.pi / 180) < 1e-12)
    }
}
