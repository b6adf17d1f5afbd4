import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where Open Images mask PNGs come from: an unzipped folder or the 16 published zips. Returns
/// the PNG bytes of a mask (decoding is the Imaging module's job). Implementations are
/// thread-safe so extraction workers can share one source.
public protocol MaskSource: Sendable {
    /// The PNG bytes of `maskPath` (the MaskPath column) for image `imageID`; nil when absent.
    func maskBytes(maskPath: String, imageID: String) throws -> [UInt8]?
}

/// Masks unzipped into a folder: `{folder}/{MaskPath}`, or inside per-zip subfolders
/// `{folder}/{split}-masks-{c}/{MaskPath}` as `unzip -d` leaves them.
public struct MaskFolder: MaskSource {
    /// The folder.
    public let folder: String
    /// The split, for the per-zip subfolders.
    public let split: String

    /// Creates a folder source.
    public init(folder: String, split: String) {
        self.folder = folder
        self.split = split
    }

    public func maskBytes(maskPath: String, imageID: String) throws -> [UInt8]? {
        var candidates = [folder + "/" + maskPath]
        if let shard = OpenImagesLayout.maskShard(of: imageID) {
            candidates.append(folder + "/\(split)-masks-\(shard)/" + maskPath)
        }
        for path in candidates where access(path, R_OK) == 0 {
            return try readWholeFile(path, limit: 64 << 20)
        }
        return nil
    }
}

/// Masks read straight from the 16 `{split}-masks-{0..f}.zip` archives without extracting them
/// (the Open Images V7 download page, storage.googleapis.com/openimages/web/download_v7.html: the zip is chosen by the first hex digit of ImageID; PNGs sit flat at the root).
/// Each zip is opened and indexed on first use (`ZipIndex`), then kept open and shared by all
/// threads; a missing zip is reported by name.
public final class MaskZipSet: MaskSource {
    /// The folder holding the zips.
    public let folder: String
    /// The split (train, validation, test).
    public let split: String
    private let archives = Mutex<[String: ZipIndex]>([:])

    /// Creates a source over `{folder}/{split}-masks-{c}.zip`.
    public init(folder: String, split: String) {
        self.folder = folder
        self.split = split
    }

    /// The path of the zip holding an image's masks.
    public func zipPath(for imageID: String) -> String? {
        OpenImagesLayout.maskShard(of: imageID).map { folder + "/\(split)-masks-\($0).zip" }
    }

    /// The opened zip for shard path `path` (opening and indexing it once; a lock guards only the table).
    private func archive(_ path: String) throws -> ZipIndex {
        if let open = archives.withLock({ $0[path] }) { return open }
        guard access(path, R_OK) == 0 else {
            throw DatasetFileError.unreadable(path: path, reason: "mask archive is missing (download \(NSStringLike(text: path).lastComponent) into \(folder))")
        }
        let index = try ZipIndex(path: path)
        return archives.withLock { table in
            if let raced = table[path] { return raced }
            table[path] = index
            return index
        }
    }

    public func maskBytes(maskPath: String, imageID: String) throws -> [UInt8]? {
        guard let path = zipPath(for: imageID) else { return nil }
        return try archive(path).read(maskPath, limit: 64 << 20)
    }
}

/// The last path component, without Foundation.
struct NSStringLike {
    let text: String
    var lastComponent: String { text.split(separator: "/").last.map(String.init) ?? text }
}
