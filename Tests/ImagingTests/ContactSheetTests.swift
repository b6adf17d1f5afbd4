import Testing
@testable import Imaging

@Suite struct FitAndSheetTests {
    @Test func fittedSizes() {
        #expect(RGBAImage.fittedSize(width: 400, height: 300, maxWidth: 200, maxHeight: 200) == (200, 150))
        #expect(RGBAImage.fittedSize(width: 30, height: 60, maxWidth: 200, maxHeight: 200) == (100, 200))
        #expect(RGBAImage.fittedSize(width: 1000, height: 1, maxWidth: 200, maxHeight: 200) == (200, 1))
    }

    @Test func centeredCanvas() {
        let object = RGBAImage(width: 200, height: 100, fill: RGBA8(10, 20, 30))
        let canvas = object.centered(onWidth: 256, height: 256)
        #expect(canvas.width == 256 && canvas.height == 256)
        #expect(canvas[28, 78] == RGBA8(10, 20, 30) && canvas[227, 177] == RGBA8(10, 20, 30))
        #expect(canvas[27, 78] == .white && canvas[28, 77] == .white && canvas[228, 177] == .white && canvas[28, 178] == .white)
    }

    @Test func sheetLayout() {
        let tiles = (0..<5).map { i in (image: RGBAImage(width: 40 + i * 10, height: 30, fill: RGBA8(UInt8(i * 50), 0, 0)), label: "item \(i)") }
        let layout = ContactSheet(tileWidth: 64, tileHeight: 48, columns: 3, spacing: 2)
        let sheet = layout.render(tiles)
        #expect(sheet.width == 2 + 3 * 66)
        #expect(sheet.height == 2 + 2 * (48 + 8 + 2 + 2))
        // tile 4 (second row, second column) is filled with its colour at its centre
        let x = 2 + 66 + 32, y = 2 + (48 + 10 + 2) + 24
        #expect(sheet[x, y] == RGBA8(200, 0, 0))
        // some label ink under the first tile
        var ink = 0
        for yy in (2 + 48 + 2)..<(2 + 48 + 2 + 8) { for xx in 2..<66 where sheet[xx, yy] == .black { ink += 1 } }
        #expect(ink > 10)
        #expect(layout.render([]).width == 2 + 66)
    }
}
