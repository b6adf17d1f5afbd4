import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Direct I/O (Linux O_DIRECT, open(2)) for shard files on local disk filesystems: the bytes go
/// from the writer's aligned buffer to the device without a copy into the page cache, which on
/// ext4 costs more CPU than hashing the shard (a buffered 512 MiB write took 1.2 CPU-seconds here,
/// the same write with O_DIRECT 0.07). Used only on ext4, XFS and btrfs; tmpfs, network and
/// cluster filesystems (NFS, Lustre) keep buffered writes. CN_SHARDS_BUFFERED_IO=1 turns it off.
enum DirectIO {
    /// Direct writes must start at, and last, a multiple of this many bytes, from a buffer aligned to it.
    static let alignment = 4096

    /// Sets O_DIRECT on `fd` when its filesystem is one of the local ones above; true if it did.
    static func enable(_ fd: Int32) -> Bool {
        guard let flag = openFlag, ProcessInfo.processInfo.environment["CN_SHARDS_BUFFERED_IO"] != "1",
              let type = filesystemType(fd), localDiskFilesystems.contains(type) else { return false }
        let flags = fcntl(fd, F_GETFL)
        return flags >= 0 && fcntl(fd, F_SETFL, flags | flag) == 0
    }

    /// Clears O_DIRECT on `fd` (when a direct write is refused); the next writes are buffered.
    static func disable(_ fd: Int32) {
        guard let flag = openFlag else { return }
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~flag) }
    }

    /// ext4, XFS and btrfs (statfs(2) f_type magic numbers).
    private static let localDiskFilesystems: Set<Int> = [0xEF53, 0x5846_5342, 0x9123_683E]

    /// O_DIRECT, which Glibc's Swift module does not export (it differs by architecture).
    private static var openFlag: Int32? {
        #if os(Linux) && arch(x86_64)
        return 0o40000
        #elseif os(Linux) && arch(arm64)
        return 0o200000
        #else
        return nil
        #endif
    }

    private typealias FStatFS = @convention(c) (Int32, UnsafeMutableRawPointer) -> Int32
    private struct Box: @unchecked Sendable { let function: FStatFS? }
    private static let fstatfsBox: Box = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "fstatfs") else { return Box(function: nil) }
        return Box(function: unsafeBitCast(symbol, to: FStatFS.self))
    }()

    /// The f_type of the filesystem holding `fd` (fstatfs, looked up at run time: Glibc's Swift
    /// module hides it); f_type is the first field, a long, of struct statfs.
    private static func filesystemType(_ fd: Int32) -> Int? {
        guard let fstatfs = fstatfsBox.function else { return nil }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 256, alignment: 16)
        defer { buffer.deallocate() }
        guard fstatfs(fd, buffer) == 0 else { return nil }
        return buffer.load(as: Int.self)
    }
}
