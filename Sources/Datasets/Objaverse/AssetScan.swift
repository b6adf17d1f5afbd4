import Foundation
import Support

/// One 3D asset file found by `AssetScan`.
public struct ScannedAsset: Sendable, Equatable, Hashable {
    /// The mesh formats the project reads.
    public enum Format: String, Sendable, CaseIterable {
        case glb, gltf, obj, ply
    }

    /// A stable id: the Objaverse uid when the file is named `{uid}.glb` with a 32-hex uid, else
    /// `p` + the 16-hex FNV-1a hash of the relative path (stable across machines and runs).
    public var id: String
    /// The path relative to the scanned folder, with "/" separators.
    public var relativePath: String
    /// The format, from the extension.
    public var format: Format
    /// Whether `id` is an Objaverse uid.
    public var isObjaverseUID: Bool
}

/// Finds the 3D assets (.glb, .gltf, .obj, .ply, case-insensitive) below any folder, for
/// `cn-ingest objaverse` on an Objaverse download or a private collection; sorted by relative
/// path so runs are reproducible. Hidden files and folders are skipped.
public enum AssetScan {
    /// Scans `folder` recursively.
    public static func scan(_ folder: String) throws -> [ScannedAsset] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw DatasetFileError.unreadable(path: folder, reason: "no such folder")
        }
        guard let walker = FileManager.default.enumerator(atPath: folder) else {
            throw DatasetFileError.unreadable(path: folder, reason: "cannot list the folder")
        }
        var assets: [ScannedAsset] = []
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if name.hasPrefix(".") {
                walker.skipDescendants()
                continue
            }
            let ext = (name as NSString).pathExtension.lowercased()
            guard let format = ScannedAsset.Format(rawValue: ext) else { continue }
            assets.append(asset(relativePath: relative, format: format))
        }
        return assets.sorted { $0.relativePath < $1.relativePath }
    }

    /// The asset record of one relative path.
    public static func asset(relativePath: String, format: ScannedAsset.Format) -> ScannedAsset {
        let stem = ((relativePath as NSString).lastPathComponent as NSString).deletingPathExtension
        if format == .glb, isUID(stem) {
            return ScannedAsset(id: stem.lowercased(), relativePath: relativePath, format: format, isObjaverseUID: true)
        }
        let hash = StableHash.fnv1a64(relativePath)
        let hex = String(hash, radix: 16)
        return ScannedAsset(id: "p" + String(repeating: "0", count: 16 - hex.count) + hex, relativePath: relativePath,
                            format: format, isObjaverseUID: false)
    }

    /// True for 32 hexadecimal digits (an Objaverse uid).
    public static func isUID(_ text: String) -> Bool {
        text.utf8.count == 32 && text.allSatisfy(\.isHexDigit)
    }
}
