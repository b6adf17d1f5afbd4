#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The on-disk layout of an Open Images download (the Open Images V7 download page, storage.googleapis.com/openimages/web/download_v7.html; the names fiftyone's
/// openimages.py and datumaro's open_images plugin look for): CSVs at the root, photos as
/// `{split}/{ImageID}.jpg` or in the tarballs' `{split}_{X}` folders, masks as
/// `{split}-masks-{0..f}.zip` or unzipped. `find` says precisely which files are missing.
public struct OpenImagesLayout: Sendable, Equatable {
    /// The dataset root.
    public let root: String
    /// train, validation or test.
    public let split: String
    /// The segmentation CSV, when found.
    public var segmentationCSV: String?
    /// The box CSV(s), when found.
    public var boxCSVs: [String] = []
    /// The image list with rotation, when found.
    public var imageList: String?
    /// The class descriptions, when found.
    public var classDescriptions: String?
    /// Localized Narratives files for the split: the caption-only file when present (same
    /// captions, a fraction of the size), else the full narrative files.
    public var narratives: [String] = []
    /// Folders that may hold the photos, in search order.
    public var imageFolders: [String] = []
    /// The mask zips found (by shard character).
    public var maskZips: [Character: String] = [:]
    /// A folder of unzipped masks, when found.
    public var maskFolder: String?

    /// The mask shard (zip) character of an ImageID: its first hex digit, lower-cased.
    public static func maskShard(of imageID: String) -> Character? {
        guard let first = imageID.first?.lowercased().first, first.isHexDigit else { return nil }
        return first
    }

    static let shards = Array("0123456789abcdef")

    /// The sorted names in a folder (empty when unreadable).
    static func listing(_ folder: String) -> [String] {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Looks for the files of `split` under `root`.
    public init(root: String, split: String) {
        self.root = root
        self.split = split
        func exists(_ path: String) -> Bool { access(path, R_OK) == 0 }
        func first(_ names: [String]) -> String? { names.map { root + "/" + $0 }.first(where: exists) }
        let boxPrefix = split == "train" ? "oidv6-" : ""
        segmentationCSV = first(["\(split)-annotations-object-segmentation.csv"])
        if let boxes = first(["\(boxPrefix)\(split)-annotations-bbox.csv", "\(split)-annotations-bbox.csv",
                              "oidv6-\(split)-annotations-bbox.csv"]) {
            boxCSVs = [boxes]
        }
        imageList = first(["\(split)-images-boxable-with-rotation.csv", "\(split)-images-with-rotation.csv",
                           "oidv6-\(split)-images-with-labels-with-rotation.csv", "\(split)-images-with-labels-with-rotation.csv",
                           "\(split)-images-boxable.csv"])
            ?? Self.listing(root).first { $0.contains("\(split)-images") && $0.contains("rotation") && $0.hasSuffix(".csv") }
                .map { root + "/" + $0 }
        classDescriptions = first(["oidv7-class-descriptions-boxable.csv", "class-descriptions-boxable.csv",
                                   "oidv7-class-descriptions.csv", "oidv6-class-descriptions.csv"])
        let narrativeSplit = split == "train" ? "train_v6" : split
        let captionsOnly = root + "/open_images_\(narrativeSplit)_captions.jsonl"
        if exists(captionsOnly) {
            narratives = [captionsOnly]
        } else {
            let full = split == "train"
                ? (0..<10).map { "open_images_train_v6_localized_narratives-0000\($0)-of-00010.jsonl" }
                : ["open_images_\(split)_localized_narratives.jsonl"]
            narratives = full.map { root + "/" + $0 }.filter(exists)
        }
        imageFolders = ([split] + Self.shards.map { "\(split)_\($0)" } + ["images/\(split)", "\(split)/data"])
            .map { root + "/" + $0 }.filter(exists)
        for shard in Self.shards {
            for folder in [root, root + "/masks", root + "/\(split)-masks"] where exists(folder + "/\(split)-masks-\(shard).zip") {
                maskZips[shard] = folder + "/\(split)-masks-\(shard).zip"
                break
            }
        }
        maskFolder = ["\(split)-masks", "masks/\(split)", "masks"].map { root + "/" + $0 }.first(where: exists)
    }

    /// The path of a photo, searching every image folder; nil when absent.
    public func imagePath(of imageID: String) -> String? {
        for folder in imageFolders {
            let path = folder + "/" + imageID + ".jpg"
            if access(path, R_OK) == 0 { return path }
        }
        return nil
    }

    /// What the ingest stage needs and lacks, one readable line each (empty when complete).
    /// Narratives and the image list are optional (captions fall back; rotation is then unknown).
    public var missing: [String] {
        var lines: [String] = []
        if segmentationCSV == nil { lines.append("\(root)/\(split)-annotations-object-segmentation.csv (the mask list)") }
        if boxCSVs.isEmpty {
            lines.append("\(root)/\(split == "train" ? "oidv6-" : "")\(split)-annotations-bbox.csv (the boxes and their IsOccluded/IsTruncated/... flags)")
        }
        if classDescriptions == nil { lines.append("\(root)/class-descriptions-boxable.csv or oidv7-class-descriptions.csv (class names)") }
        if imageFolders.isEmpty { lines.append("\(root)/\(split)/ (the photos, {ImageID}.jpg) or \(root)/\(split)_0 ... \(split)_f") }
        if maskFolder == nil {
            let absent = Self.shards.filter { maskZips[$0] == nil }
            if absent.count == Self.shards.count {
                lines.append("\(root)/\(split)-masks-{0..f}.zip (the mask archives) or an unzipped \(root)/\(split)-masks/ folder")
            } else if !absent.isEmpty {
                lines.append("mask archive(s) " + absent.map { "\(split)-masks-\($0).zip" }.joined(separator: ", ") + " in \(root)")
            }
        }
        return lines
    }

    /// The mask source this layout offers: the unzipped folder when present, else the zips.
    public func maskSource() -> any MaskSource {
        if let maskFolder { return MaskFolder(folder: maskFolder, split: split) }
        let folder = maskZips.values.first.map { NSStringLike(text: $0).parent } ?? root
        return MaskZipSet(folder: folder, split: split)
    }
}

extension NSStringLike {
    /// The folder part of a path.
    var parent: String {
        guard let slash = text.lastIndex(of: "/") else { return "." }
        return String(text[..<slash])
    }
}
