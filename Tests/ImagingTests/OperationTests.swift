import Testing
@testable import Imaging

@Suite struct ResampleTests {
    @Test func areaDownscaleOfA2x2BlockIsItsMean() {
        // 4x2 image -> 2x1: each output pixel averages one 2x2 block
        var image = RGBAImage(width: 4, height: 2, fill: .black)
        let values: [[UInt8]] = [[10, 20, 100, 200], [30, 40, 0, 100]]
        for y in 0..<2 { for x in 0..<4 { let v = values[y][x]; image[x, y] = RGBA8(v, v / 2, 255 - v, 255) } }
        let small = image.resized(width: 2, height: 1, filter: .area)
        #expect(small[0, 0] == RGBA8(25, 13, 230, 255)) // means 25, 12.5 (round half up), 230
    }

    @Test func areaDownscaleGray() {
        let gray = GrayImage(width: 2, height: 2, pixels: [0, 100, 50, 250])
        #expect(gray.resized(width: 1, height: 1, filter: .area).pixels == [100])
        // 3 -> 2 columns: coverage weights 1, 0.5 | 0.5, 1 (OpenCV INTER_AREA)
        let row = GrayImage(width: 3, height: 1, pixels: [30, 90, 150])
        #expect(row.resized(width: 2, height: 1, filter: .area).pixels == [50, 130])
    }

    @Test func premultipliedResamplingDoesNotBleedTransparentColour() {
        var image = RGBAImage(width: 2, height: 1)
        image[0, 0] = RGBA8(200, 0, 0, 255)
        image[1, 0] = RGBA8(0, 255, 0, 0) // invisible green
        let small = image.resized(width: 1, height: 1, filter: .area)
        #expect(small[0, 0] == RGBA8(200, 0, 0, 128))
    }

    @Test(arguments: [ResampleFilter.bilinear, .bicubic, .area, .automatic, .nearest])
    func constantImagesStayConstant(filter: ResampleFilter) {
        let image = RGBAImage(width: 7, height: 5, fill: RGBA8(12, 34, 56, 255))
        #expect(image.resized(width: 19, height: 11, filter: filter) == RGBAImage(width: 19, height: 11, fill: RGBA8(12, 34, 56, 255)))
        #expect(image.resized(width: 3, height: 2, filter: filter) == RGBAImage(width: 3, height: 2, fill: RGBA8(12, 34, 56, 255)))
    }

    @Test func bilinearUpscaleOfARampMatchesPillow() {
        // Pillow: Image.frombytes("L", (2,1), bytes([0, 100])).resize((4,1), Image.BILINEAR) -> [0, 25, 75, 100]
        let ramp = GrayImage(width: 2, height: 1, pixels: [0, 100])
        #expect(ramp.resized(width: 4, height: 1, filter: .bilinear).pixels == [0, 25, 75, 100])
        // values printed by Pillow 13 (Image.resize with BICUBIC / BILINEAR on "L" images)
        let step = GrayImage(width: 2, height: 1, pixels: [0, 200])
        #expect(step.resized(width: 4, height: 1, filter: .bicubic).pixels == [0, 41, 159, 218])
        let five = GrayImage(width: 5, height: 1, pixels: [0, 50, 100, 200, 250])
        #expect(five.resized(width: 2, height: 1, filter: .bicubic).pixels == [43, 195])
        #expect(five.resized(width: 2, height: 1, filter: .bilinear).pixels == [52, 186])
        let four = GrayImage(width: 4, height: 1, pixels: [0, 50, 100, 200])
        #expect(four.resized(width: 7, height: 1, filter: .bicubic).pixels == [0, 13, 46, 72, 106, 172, 208])
    }

    @Test func nearestKeepsMaskLabels() {
        let mask = GrayImage(width: 4, height: 2, pixels: [0, 255, 255, 0, 0, 0, 255, 0])
        let big = mask.resized(width: 8, height: 4)
        #expect(Set(big.pixels) == [0, 255])
        #expect(big[2, 0] == 255 && big[3, 1] == 255 && big[0, 0] == 0)
        let back = big.resized(width: 4, height: 2)
        #expect(back == mask)
    }
}

@Suite struct GeometryOpsTests {
    static func numbered(_ w: Int, _ h: Int) -> GrayImage {
        GrayImage(width: w, height: h, pixels: (0..<(w * h)).map { UInt8($0) })
    }

    @Test func rotationsAreCounterClockwise() {
        // 0 1 2
        // 3 4 5
        let image = Self.numbered(3, 2)
        #expect(image.rotated(counterClockwiseDegrees: 90).pixels == [2, 5, 1, 4, 0, 3])
        #expect(image.rotated(counterClockwiseDegrees: 90).width == 2)
        #expect(image.rotated(counterClockwiseDegrees: 180).pixels == [5, 4, 3, 2, 1, 0])
        #expect(image.rotated(counterClockwiseDegrees: 270).pixels == [3, 0, 4, 1, 5, 2])
        #expect(image.rotated(counterClockwiseDegrees: 360) == image)
        #expect(image.rotated(counterClockwiseDegrees: 90).rotated(counterClockwiseDegrees: 270) == image)
        let rgba = RGBAImage(gray: image)
        #expect(rgba.rotated(counterClockwiseDegrees: 90).channel(0) == image.rotated(counterClockwiseDegrees: 90))
    }

    @Test func cropPadAndPaste() {
        let image = Self.numbered(4, 3)
        #expect(image.cropped(to: PixelRect(x: 1, y: 1, width: 2, height: 2)).pixels == [5, 6, 9, 10])
        #expect(image.cropped(to: PixelRect(x: 3, y: 2, width: 2, height: 2), fill: 99).pixels == [11, 99, 99, 99])
        let padded = image.padded(top: 1, left: 2, bottom: 0, right: 1, fill: 7)
        #expect(padded.width == 7 && padded.height == 4)
        #expect(padded[0, 0] == 7 && padded[2, 1] == 0 && padded[5, 3] == 11 && padded[6, 3] == 7)
        var canvas = RGBAImage(width: 4, height: 4, fill: .white)
        canvas.paste(RGBAImage(width: 3, height: 3, fill: RGBA8(1, 2, 3, 4)), atX: 2, y: -1)
        #expect(canvas[2, 0] == RGBA8(1, 2, 3, 4) && canvas[3, 1] == RGBA8(1, 2, 3, 4) && canvas[3, 2] == .white && canvas[1, 0] == .white)
    }

    @Test func maskedPasteBlendsLikePillow() {
        var canvas = RGBAImage(width: 1, height: 1, fill: RGBA8(0, 0, 0, 255))
        canvas.paste(RGBAImage(width: 1, height: 1, fill: RGBA8(255, 100, 0, 255)), atX: 0, y: 0,
                     mask: GrayImage(width: 1, height: 1, fill: 128))
        #expect(canvas[0, 0] == RGBA8(128, 50, 0, 255))
    }
}

@Suite struct CompositeTests {
    @Test func overWhiteByHand() {
        // 50%-ish red over white: C = (255*128 + 255*127) / 255 for R; G,B = 255*127/255
        let image = RGBAImage(width: 1, height: 1, fill: RGBA8(255, 0, 0, 128))
        #expect(image.composited(over: .white)[0, 0] == RGBA8(255, 127, 127, 255))
        #expect(RGBAImage(width: 1, height: 1, fill: .transparent).composited(over: .white)[0, 0] == .white)
        #expect(RGBAImage(width: 1, height: 1, fill: RGBA8(9, 8, 7, 255)).composited(over: .white)[0, 0] == RGBA8(9, 8, 7, 255))
    }

    @Test func overAnotherTranslucentImage() {
        // top (200,0,0,a=102 = 0.4), bottom (0,0,200,a=153 = 0.6): A = 0.4 + 0.6*0.6 = 0.76 -> 193.8 -> 194
        // R = 200*0.4/0.76 = 105.26 -> 105; B = 200*0.36/0.76 = 94.7 -> 95
        var bottom = RGBAImage(width: 2, height: 1, fill: RGBA8(0, 0, 200, 153))
        bottom.composite(RGBAImage(width: 1, height: 1, fill: RGBA8(200, 0, 0, 102)), atX: 1, y: 0)
        #expect(bottom[1, 0] == RGBA8(105, 0, 95, 194))
        #expect(bottom[0, 0] == RGBA8(0, 0, 200, 153))
        // clipped placement does nothing outside
        bottom.composite(RGBAImage(width: 1, height: 1, fill: .white), atX: 5, y: 5)
        #expect(bottom[1, 0] == RGBA8(105, 0, 95, 194))
    }

    @Test func alphaChannelAndLuminance() {
        let image = RGBAImage(width: 1, height: 1, fill: RGBA8(255, 0, 0, 77))
        #expect(image.alphaChannel().pixels == [77])
        #expect(image.luminance().pixels == [76]) // Pillow: 255*19595+0x8000 >> 16 = 76
        let rebuilt = RGBAImage(rgb: image, alpha: GrayImage(width: 1, height: 1, fill: 9))
        #expect(rebuilt[0, 0] == RGBA8(255, 0, 0, 9))
    }
}

@Suite struct MaskTests {
    /// Two blobs: a 3x3 square at (1,1) and a 2x1 bar at (6,5), plus a diagonal neighbour of the square.
    static func twoBlobs() -> GrayImage {
        var mask = GrayImage(width: 8, height: 7)
        for y in 1...3 { for x in 1...3 { mask[x, y] = 255 } }
        mask[4, 4] = 255 // touches the square only diagonally
        mask[6, 5] = 200; mask[7, 5] = 255
        return mask
    }

    @Test func boundingBoxOfAKnownMask() {
        let mask = Self.twoBlobs()
        #expect(mask.boundingBox() == PixelRect(x: 1, y: 1, width: 7, height: 5))
        #expect(mask.boundingBox(threshold: 210) == PixelRect(x: 1, y: 1, width: 7, height: 5))
        var single = GrayImage(width: 5, height: 5)
        single[2, 3] = 1
        #expect(single.boundingBox() == PixelRect(x: 2, y: 3, width: 1, height: 1))
        #expect(GrayImage(width: 3, height: 3).boundingBox() == nil)
    }

    @Test func componentsEightConnected() {
        let components = ConnectedComponents(Self.twoBlobs())
        #expect(components.count == 2)
        #expect(components.areas == [10, 2])
        #expect(components.boxes[0] == PixelRect(x: 1, y: 1, width: 4, height: 4))
        #expect(components.largestLabel == 1)
        #expect(abs(components.largestShare - 10.0 / 12.0) < 1e-12)
        #expect(components.mask(of: 2).count(above: 0) == 2)
    }

    @Test func componentsFourConnected() {
        let components = ConnectedComponents(Self.twoBlobs(), connectivity: .four)
        #expect(components.count == 3)
        #expect(components.areas == [9, 1, 2])
        #expect(abs(components.largestShare - 0.75) < 1e-12)
        #expect(ConnectedComponents(GrayImage(width: 4, height: 4)).largestShare == 0)
        // a threshold removes the 200-valued pixel
        #expect(ConnectedComponents(Self.twoBlobs(), threshold: 200).areas == [10, 1])
    }

    /// A plain flood fill, the reference for the run-based labelling.
    static func referenceLabels(_ mask: GrayImage, eight: Bool) -> [Int32] {
        let w = mask.width, h = mask.height
        var labels = [Int32](repeating: 0, count: w * h)
        var next: Int32 = 0
        for start in 0..<(w * h) where mask.pixels[start] > 0 && labels[start] == 0 {
            next += 1
            labels[start] = next
            var stack = [start]
            while let i = stack.popLast() {
                let x = i % w, y = i / w
                for dy in -1...1 { for dx in -1...1 where (dx != 0 || dy != 0) && (eight || dx == 0 || dy == 0) {
                    let nx = x + dx, ny = y + dy
                    guard nx >= 0, ny >= 0, nx < w, ny < h else { continue }
                    let j = ny * w + nx
                    if mask.pixels[j] > 0 && labels[j] == 0 { labels[j] = next; stack.append(j) }
                } }
            }
        }
        return labels
    }

    @Test func componentsEqualAFloodFillOnRandomMasks() {
        for seed in 1...40 {
            let w = 5 + seed % 23, h = 3 + seed % 17
            let noise = Tools.randomBytes(w * h, seed: UInt64(seed))
            let density = UInt8(60 + seed * 4)
            let mask = GrayImage(width: w, height: h, pixels: noise.map { $0 < density ? 255 : 0 })
            for connectivity in [Connectivity.four, .eight] {
                let components = ConnectedComponents(mask, connectivity: connectivity)
                let expected = Self.referenceLabels(mask, eight: connectivity == .eight)
                #expect(components.labels == expected, "seed \(seed) \(connectivity)")
                #expect(components.foregroundArea == mask.count(above: 0))
                for (k, box) in components.boxes.enumerated() {
                    #expect(components.mask(of: k + 1).boundingBox() == box)
                }
            }
        }
    }

    @Test func binarize() {
        let mask = GrayImage(width: 4, height: 1, pixels: [0, 127, 128, 255])
        #expect(mask.binarized().pixels == [0, 0, 255, 255])
        #expect(mask.binarized(threshold: 0).pixels == [0, 255, 255, 255])
    }
}

@Suite struct DrawingTests {
    @Test func rectanglesAndLines() {
        var image = RGBAImage(width: 10, height: 8, fill: .white)
        image.fill(PixelRect(x: 8, y: 6, width: 5, height: 5), with: .black)
        #expect(image[8, 6] == .black && image[9, 7] == .black && image[7, 6] == .white)
        image.stroke(PixelRect(x: 0, y: 0, width: 5, height: 4), with: RGBA8(255, 0, 0), lineWidth: 1)
        #expect(image[0, 0] == RGBA8(255, 0, 0) && image[4, 3] == RGBA8(255, 0, 0) && image[2, 1] == .white)
        var line = RGBAImage(width: 5, height: 5, fill: .white)
        line.drawLine(fromX: 0, y: 0, toX: 4, y: 4, color: .black)
        for i in 0..<5 { #expect(line[i, i] == .black) }
        #expect(line.luminance().count(above: 254) == 20)
        line.drawLine(fromX: 4, y: 0, toX: -10, y: 0, color: .black) // clipped, no crash
        #expect(line[0, 0] == .black && line[3, 0] == .black)
    }

    @Test func bitmapText() {
        let (w, h) = BitmapFont.size(of: "Hi!", scale: 2)
        #expect(w == 36 && h == 16)
        var image = RGBAImage(width: 40, height: 20, fill: .white)
        let advance = image.drawText("Hi!", atX: 1, y: 1, color: .black, scale: 2)
        #expect(advance == 36)
        // 'H' column 0 is 0x7F: 7 rows set -> at scale 2 a 2x14 black bar at x = 1...2, y = 1...14
        for y in 1...14 { #expect(image[1, y] == .black && image[2, y] == .black) }
        #expect(image[1, 15] == .white)
        // every printable character has some ink except space
        for code in 33...126 {
            let scalar = Unicode.Scalar(UInt8(code))
            #expect((0..<5).contains { c in (0..<7).contains { r in BitmapFont.isSet(scalar, column: c, row: r) } }, "glyph \(code) is empty")
        }
        #expect(!(0..<5).contains { c in (0..<7).contains { r in BitmapFont.isSet(" ", column: c, row: r) } })
    }
}

@Suite struct ColorTests {
    @Test func srgbRoundTripsEveryByte() {
        for v in 0...255 { #expect(SRGB.encode(SRGB.decode(UInt8(v))) == UInt8(v)) }
        #expect(SRGB.decode(0) == 0 && SRGB.decode(255) == 1)
        #expect(abs(SRGB.decode(128) - 0.21586) < 1e-4)
        #expect(SRGB.encode(-1) == 0 && SRGB.encode(2) == 255 && SRGB.encode(.nan) == 0)
    }

    @Test func floatImageConversions() {
        let image = RGBAImage(width: 3, height: 2, pixels: Tools.randomBytes(24, seed: 8))
        #expect(FloatImage(image).rgbaImage() == image)
        #expect(FloatImage(image, linear: true).rgbaImage(linear: true) == image)
        let gray = GrayImage(width: 3, height: 2, pixels: [0, 1, 2, 128, 254, 255])
        #expect(FloatImage(gray).grayImage() == gray)
        #expect(FloatImage(gray).rgbaImage() == RGBAImage(gray: gray))
        let f = FloatImage(width: 2, height: 2, channels: 3, fill: 0.5)
        #expect(f.resized(width: 4, height: 4).data.allSatisfy { abs($0 - 0.5) < 1e-6 })
        #expect(f.rgbaImage()[1, 1] == RGBA8(128, 128, 128, 255))
        // planar (CHW) <-> channels-last
        let hwc = FloatImage(width: 2, height: 1, channels: 3, data: [1, 2, 3, 4, 5, 6])
        #expect(hwc.planarData() == [1, 4, 2, 5, 3, 6])
        #expect(FloatImage(width: 2, height: 1, channels: 3, planar: [1, 4, 2, 5, 3, 6]) == hwc)
    }
}
