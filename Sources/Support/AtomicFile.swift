import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Crash-safe file publication: write under a temporary name in the target's folder, fsync,
/// rename into place, fsync the folder (the "temp, fsync, rename" rule of docs/CONTRACTS.md and of
/// objaverse-xl's renderer). A kill at any moment leaves either the old file or the new one,
/// plus at most an orphaned temporary that `AtomicFile.removeOrphans` deletes.
public enum AtomicFile {
    /// The prefix of every temporary name; nothing else in a workdir may start with it.
    public static let temporaryPrefix = ".cn-tmp-"

    /// Writes `bytes` to `path` atomically and durably, creating parent folders as needed.
    /// With `syncFolder: false` the caller promises to `syncFolder` the parent itself later
    /// (the stage runner does it once per folder per commit batch).
    public static func write(_ bytes: [UInt8], to path: String, syncFolder: Bool = true) throws {
        try bytes.withUnsafeBytes { buffer throws in try write(buffer, to: path, syncFolder: syncFolder) }
    }

    /// Writes `data` to `path` atomically and durably, creating parent folders as needed.
    public static func write(_ data: Data, to path: String) throws {
        try data.withUnsafeBytes { buffer throws in try write(buffer, to: path) }
    }

    /// Writes a raw buffer to `path` atomically and durably, creating parent folders as needed.
    public static func write(_ buffer: UnsafeRawBufferPointer, to path: String, syncFolder shouldSyncFolder: Bool = true) throws {
        let folder = (path as NSString).deletingLastPathComponent
        try makeFolders(folder)
        let temporary = temporaryPath(for: path)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileWriteError(path: temporary, operation: "create", errno: errno) }
        var offset = 0
        while offset < buffer.count {
            let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd); unlink(temporary)
                throw FileWriteError(path: temporary, operation: "write", errno: code)
            }
            offset += written
        }
        if fsync(fd) != 0 {
            let code = errno
            close(fd); unlink(temporary)
            throw FileWriteError(path: temporary, operation: "fsync", errno: code)
        }
        close(fd)
        if rename(temporary, path) != 0 {
            let code = errno
            unlink(temporary)
            throw FileWriteError(path: path, operation: "rename", errno: code)
        }
        if shouldSyncFolder { syncFolder(folder) }
    }

    /// A fresh temporary path beside `path` (same folder, so the rename stays on one filesystem).
    public static func temporaryPath(for path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let unique = TemporaryCounter.next()
        return (folder.isEmpty ? "." : folder) + "/" + temporaryPrefix + name + ".\(getpid()).\(unique)"
    }

    /// Publishes a fully written staging folder under `destination`, replacing any earlier
    /// (possibly partial) folder there: fsync every file, rename the old one aside, rename the
    /// staging folder into place, remove the old one.
    public static func publishFolder(staging: String, to destination: String) throws {
        let manager = FileManager.default
        if let names = try? manager.contentsOfDirectory(atPath: staging) {
            for name in names { syncFile(staging + "/" + name) }
        }
        syncFolder(staging)
        let parent = (destination as NSString).deletingLastPathComponent
        try makeFolders(parent)
        var displaced: String?
        if manager.fileExists(atPath: destination) {
            let aside = temporaryPath(for: destination)
            if rename(destination, aside) != 0 {
                throw FileWriteError(path: destination, operation: "rename aside", errno: errno)
            }
            displaced = aside
        }
        if rename(staging, destination) != 0 {
            throw FileWriteError(path: destination, operation: "rename", errno: errno)
        }
        syncFolder(parent)
        if let displaced { try? manager.removeItem(atPath: displaced) }
    }

    /// Deletes every file or folder below `root` whose name starts with the temporary prefix,
    /// returning how many were removed. Run it at stage start, when no writer of that stage is alive.
    @discardableResult
    public static func removeOrphans(below root: String) -> Int {
        let manager = FileManager.default
        guard let walker = manager.enumerator(atPath: root) else { return 0 }
        var doomed: [String] = []
        while let relative = walker.nextObject() as? String {
            if (relative as NSString).lastPathComponent.hasPrefix(temporaryPrefix) {
                doomed.append(root + "/" + relative)
                walker.skipDescendants()
            }
        }
        for path in doomed { try? manager.removeItem(atPath: path) }
        return doomed.count
    }

    /// Creates a folder and its parents if missing.
    public static func makeFolders(_ folder: String) throws {
        guard !folder.isEmpty else { return }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw FileWriteError(path: folder, operation: "create folder", errno: EIO)
        }
    }

    private static func syncFile(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    /// fsyncs a folder so the renames inside it survive a power cut.
    public static func syncFolder(_ folder: String) {
        let fd = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}

/// A failed file write: which path, which system call, and the system's reason.
public struct FileWriteError: DescribedError {
    /// The path being written.
    public let path: String
    /// The operation that failed (create, write, fsync, rename ...).
    public let operation: String
    /// The errno value.
    public let errno: Int32

    /// Creates the error from a failed operation.
    public init(path: String, operation: String, errno: Int32) {
        self.path = path
        self.operation = operation
        self.errno = errno
    }

    public var kind: String { "write-failed" }
    public var message: String {
        "cannot \(operation) \(path): \(String(cString: strerror(errno))) (check free space and permissions)"
    }
}

/// A process-wide counter that keeps temporary names unique between threads.
enum TemporaryCounter {
    private static let value = LockedCounter()
    static func next() -> Int { value.increment() }
}
