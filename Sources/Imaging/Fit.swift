extension RGBAImage {
    /// The size that fits `width` x `height` inside a `maxWidth` x `maxHeight` box with the aspect
    /// ratio kept, each side rounded to nearest and at least 1 (used for "long side 200" canvases).
    public static func fittedSize(width: Int, height: Int, maxWidth: Int, maxHeight: Int) -> (width: Int, height: Int) {
        precondition(width > 0 && height > 0 && maxWidth > 0 && maxHeight > 0)
        let scale = min(Double(maxWidth) / Double(width), Double(maxHeight) / Double(height))
        return (max(1, min(maxWidth, Int((Double(width) * scale).rounded()))),
                max(1, min(maxHeight, Int((Double(height) * scale).rounded()))))
    }

    /// This image scaled (up or down, aspect kept) to fit inside `maxWidth` x `maxHeight`.
    public func resizedToFit(maxWidth: Int, maxHeight: Int, filter: ResampleFilter = .automatic) -> RGBAImage {
        let size = Self.fittedSize(width: width, height: height, maxWidth: maxWidth, maxHeight: maxHeight)
        return resized(width: size.width, height: size.height, filter: filter)
    }

    /// A `width` x `height` canvas of `background` with this image composited at its centre
    /// (offset rounded down), e.g. CustomNet's 256 reference canvas: long side 200 on white.
    public func centered(onWidth canvasWidth: Int, height canvasHeight: Int, background: RGBA8 = .white) -> RGBAImage {
        var canvas = RGBAImage(width: canvasWidth, height: canvasHeight, fill: background)
        canvas.composite(self, atX: (canvasWidth - width) / 2, y: (canvasHeight - height) / 2)
        return canvas
    }
}

/// A contact sheet: labelled thumbnails on a grid, for auditing samples (`cn-manifest sheet`).
public struct ContactSheet: Sendable {
    /// Thumbnail box size in pixels (images are fitted inside it, aspect kept).
    public var tileWidth: Int, tileHeight: Int
    /// Tiles per row.
    public var columns: Int
    /// Gap between tiles and around the sheet, in pixels.
    public var spacing: Int
    /// Font scale of the labels (5x7 font, 8 pixels tall at scale 1).
    public var labelScale: Int
    /// Sheet background, label colour and tile frame colour.
    public var background: RGBA8, labelColor: RGBA8, frameColor: RGBA8

    /// Creates a layout; defaults: 128 x 128 tiles, 8 columns, 4 px spacing, labels at scale 1.
    public init(tileWidth: Int = 128, tileHeight: Int = 128, columns: Int = 8, spacing: Int = 4, labelScale: Int = 1,
                background: RGBA8 = .white, labelColor: RGBA8 = .black, frameColor: RGBA8 = RGBA8(200, 200, 200)) {
        precondition(tileWidth > 0 && tileHeight > 0 && columns > 0 && spacing >= 0 && labelScale > 0)
        self.tileWidth = tileWidth; self.tileHeight = tileHeight; self.columns = columns; self.spacing = spacing
        self.labelScale = labelScale; self.background = background; self.labelColor = labelColor; self.frameColor = frameColor
    }

    /// Draws `tiles` (image + one-line label, cut to the tile width) row by row; transparent
    /// parts of the images show the sheet background.
    public func render(_ tiles: [(image: RGBAImage, label: String)]) -> RGBAImage {
        let labelHeight = BitmapFont.cellHeight * labelScale
        let cellHeight = tileHeight + labelHeight + 2
        let rows = max(1, (tiles.count + columns - 1) / columns)
        let usedColumns = max(1, min(columns, tiles.count))
        let width = spacing + usedColumns * (tileWidth + spacing)
        let height = spacing + rows * (cellHeight + spacing)
        var sheet = RGBAImage(width: width, height: height, fill: background)
        let maxChars = max(0, tileWidth / (BitmapFont.cellWidth * labelScale))
        for (index, tile) in tiles.enumerated() {
            let x = spacing + (index % columns) * (tileWidth + spacing)
            let y = spacing + (index / columns) * (cellHeight + spacing)
            if tile.image.width > 0 && tile.image.height > 0 {
                let thumb = tile.image.resizedToFit(maxWidth: tileWidth, maxHeight: tileHeight)
                sheet.composite(thumb, atX: x + (tileWidth - thumb.width) / 2, y: y + (tileHeight - thumb.height) / 2)
            }
            sheet.stroke(PixelRect(x: x, y: y, width: tileWidth, height: tileHeight), with: frameColor)
            sheet.drawText(String(tile.label.prefix(maxChars)), atX: x, y: y + tileHeight + 2, color: labelColor, scale: labelScale)
        }
        return sheet
    }
}
