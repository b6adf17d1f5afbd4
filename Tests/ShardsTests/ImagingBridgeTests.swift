import Foundation
import Imaging
import Shards
import Support
import TestSupport
import Testing
import Geometry

@Suite("Shards with Imaging: concat.png from encoded references, exports from decoded images")
struct ImagingBridgeTests {
    static func referenceImage(side: Int) -> RGBAImage {
        var image = RGBAImage(width: side, height: side, fill: .transparent)
        for y in 0..<side {
            for x in 0..<side where (x - side / 2) * (x - side / 2) + (y - side / 2) * (y - side / 2) < side * side / 6 {
                let i = (y * side + x) * 4
                image.pixels[i] = UInt8(x * 255 / side)
                image.pixels[i + 1] = (x / 9 + y / 9) % 2 == 0 ? 40 : 210
                image.pixels[i + 2] = UInt8(y * 255 / side)
                image.pixels[i + 3] = 255
            }
        }
        return image
    }

    @Test("concat.png built from a PNG reference equals the raster construction; Python/Pillow reproduces it")
    func concatPNG() throws {
        let folder = TestPaths.scratchFolder("bridge-concat").path
        let boxes: [(PixelBox, Int, Int)] = [
            (PixelBox(x: 22, y: 37, width: 212, height: 121), 256, 256), (PixelBox(x: 100, y: 50, width: 300, height: 200), 640, 480),
            (PixelBox(x: 0, y: 300, width: 90, height: 180), 500, 480),
        ]
        for side in [256, 300] {
            let reference = Self.referenceImage(side: side)
            let png = try PNG.encode(reference)
            let spec = JSONValue.object([
                "reference": .string(folder + "/ref\(side).png"), "out": .string(folder + "/out\(side).npy"), "pil_out": .string(folder + "/pil\(side).npy"),
                "cases": .array(boxes.map { .object(["bbox": .ints($0.0.components), "size": .ints([$0.1, $0.2])]) }),
            ])
            // Pillow's convert("RGB") drops alpha instead of flattening it: give Python the flattened PNG.
            let flat = reference.composited(over: .white)
            try Data(try PNG.encodeOpaque(flat)).write(to: URL(fileURLWithPath: folder + "/ref\(side).png"))
            try AtomicFile.write(try spec.encoded(), to: folder + "/spec\(side).json")
            let result = try PythonRunner.runScript("customnet_concat.py", [folder + "/spec\(side).json"])
            try #require(result.status == 0, "customnet_concat.py failed: \(result.err)")
            let python = try NPY.decode(SampleFactory.bytes(folder + "/out\(side).npy"))
            var worst = 0
            for (index, box) in boxes.enumerated() {
                let encoded = try ConcatBuilder.buildPNG(reference: png, bbox: box.0, imageWidth: box.1, imageHeight: box.2)
                let decoded = try PNG.decodeRGBA(encoded)
                #expect(decoded.width == 256 && decoded.height == 256)
                if side == 256 {
                    let direct = try ConcatBuilder.build(flatReference: reference.composited(over: .white), bbox: box.0, imageWidth: box.1, imageHeight: box.2)
                    #expect(decoded == direct)
                }
                let rgb = decoded.packedRGB
                let plane = 256 * 256 * 3
                for i in 0..<plane { worst = max(worst, abs(Int(rgb[i]) - Int(python.values[index * plane + i]))) }
            }
            print("reference \(side)x\(side): swift concat.png vs python: max difference \(worst) level(s)")
            #expect(worst <= (side == 256 ? 0 : 1))
        }
    }

    @Test("exports from decoded images: CustomNet JPEG folder and zero123 RGBA PNG views decode back")
    func exports() throws {
        let root = TestPaths.scratchFolder("bridge-export").path
        let image = Self.referenceImage(side: 64)
        let mask = GrayImage(width: 64, height: 64, fill: 255)
        let meta = CustomNetMeta(subject: "ball", caption: "a ball", bbox: PixelBox(x: 1, y: 2, width: 30, height: 40),
                                 views: CustomNetMeta.mirroredViews(polar: 10, azimuth: 20))
        let folder = try CustomNetExport.write(root: root, name: "s1", input: image, mask: mask, views: [image, image], meta: meta)
        let input = try JPEG.decodeRGBA(SampleFactory.bytes(folder + "/input.jpg"))
        #expect(input.width == 64 && input.height == 64)
        #expect(input[0, 0].r > 245)   // transparent corner flattened to white
        let views = try Zero123Export.writeObject(root: root + "/views", uid: "abc", views: [try .init(image: image, pose: Array(repeating: 0.5, count: 12))])
        let back = try PNG.decodeRGBA(SampleFactory.bytes(views + "/000.png"))
        #expect(back == image)
    }
}

@Suite("CustomNet export read the loader's way")
struct CustomNetLoaderTests {
    @Test("Python follows data/dataset.py on an exported folder: same T and concat (within JPEG decoder differences)")
    func loaderView() throws {
        let root = TestPaths.scratchFolder("loader").path
        var photo = RGBAImage(width: 320, height: 240, fill: .white)
        for i in stride(from: 0, to: photo.pixels.count, by: 4) { photo.pixels[i] = UInt8((i / 4) % 251) }
        let view = ImagingBridgeTests.referenceImage(side: 256)
        let meta = CustomNetMeta(subject: "disc", caption: "a disc on grass", bbox: PixelBox(x: 40, y: 30, width: 150, height: 120),
                                 views: CustomNetMeta.mirroredViews(polar: 25, azimuth: 41))
        let folder = try CustomNetExport.write(root: root, name: "0000000001", input: photo, mask: GrayImage(width: 320, height: 240, fill: 255),
                                               views: [view, view], meta: meta)
        let result = try PythonRunner.runScript("customnet_concat.py", ["--folder", folder, "1", root + "/concat.npy"])
        try #require(result.status == 0, "loader check failed: \(result.err)")
        let reply = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
        let t = try #require(reply["T"] as? [Double])
        let expected = RelativePose.inverseOfOffset(polarDegrees: -25, azimuthDegrees: -41, radius: 0)
        #expect(zip(t, expected.components).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(reply["size"] as? [Int] == [320, 240])
        // Swift builds the concat from the same exported JPEG (decoded by Imaging), Python from Pillow's decode.
        let reference = try JPEG.decodeRGBA(SampleFactory.bytes(folder + "/multi_view_01.jpg"))
        let swift = try ConcatBuilder.build(reference: reference, bbox: meta.bbox, imageWidth: 320, imageHeight: 240).composited(over: .white).packedRGB
        let python = try NPY.decode(SampleFactory.bytes(root + "/concat.npy")).values
        let worst = zip(swift, python).map { abs(Double($0) - $1) }.max() ?? 0
        print("exported folder: swift concat vs python loader-style concat: max difference \(worst) level(s)")
        #expect(worst <= 2)
    }
}
