import Foundation
import Manifest
import Support

/// Everything one item's processing may touch: its key, its own random stream, atomic file
/// output under the workdir, and read access to the manifest. Used by one thread at a time.
public final class ItemContext {
    /// One file published for the item: workdir-relative path, size and sha256.
    public struct PublishedFile: Sendable, Equatable {
        /// Workdir-relative path.
        public let path: String
        /// Size in bytes.
        public let bytes: Int
        /// Lower-case hex sha256 of the content.
        public let sha256: String
    }

    /// The item key, as listed by the stage.
    public let key: String
    /// The item's random stream, seeded from (run seed, stage, key): same inputs and seed, same bytes.
    public var random: SeededRandom
    /// The stage-wide context (workdir, config, manifest, seed).
    public let stage: StageContext
    /// Files published for this item so far.
    public private(set) var publishedFiles: [PublishedFile] = []
    /// Folders whose entries changed and still need an fsync before the commit.
    public private(set) var touchedFolders: Set<String> = []

    /// Creates the context of one item.
    public init(key: String, stageName: String, stage: StageContext) {
        self.key = key
        self.stage = stage
        self.random = SeededRandom(runSeed: stage.seed, stage: stageName, item: key)
    }

    /// The absolute URL of a workdir-relative path.
    public func url(_ relativePath: String) -> URL {
        stage.workdir.appendingPathComponent(relativePath)
    }

    /// Writes one output file atomically (temporary name, fsync, rename) at a workdir-relative path;
    /// the runner fsyncs its folder before the item's row is committed.
    public func write(_ bytes: [UInt8], to relativePath: String) throws {
        let path = url(relativePath).path
        try AtomicFile.write(bytes, to: path, syncFolder: false)
        touchedFolders.insert((path as NSString).deletingLastPathComponent)
        publishedFiles.append(PublishedFile(path: relativePath, bytes: bytes.count, sha256: SHA256.hex(bytes)))
    }

    /// A fresh temporary folder beside `relativeFolder`, to fill and then `publishFolder`; a kill
    /// leaves it as an orphan that the next run removes.
    public func makeStagingFolder(for relativeFolder: String) throws -> URL {
        let staging = AtomicFile.temporaryPath(for: url(relativeFolder).path)
        try AtomicFile.makeFolders(staging)
        return URL(fileURLWithPath: staging)
    }

    /// Publishes a filled staging folder at a workdir-relative folder, replacing an older one.
    public func publishFolder(_ staging: URL, to relativeFolder: String) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: staging.path))?.sorted() ?? []
        var files: [PublishedFile] = []
        for name in names {
            let data = FileManager.default.contents(atPath: staging.appendingPathComponent(name).path) ?? Data()
            files.append(PublishedFile(path: relativeFolder + "/" + name, bytes: data.count, sha256: SHA256.hex(data)))
        }
        try AtomicFile.publishFolder(staging: staging.path, to: url(relativeFolder).path)
        publishedFiles.append(contentsOf: files)
    }
}
