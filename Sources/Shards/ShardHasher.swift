import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Support

/// SHA-256 of a byte stream for whole shards (hundreds of megabytes): OpenSSL's libcrypto when the
/// system has it (loaded at run time with dlopen, so the package needs no C target; it uses the
/// CPU's SHA extensions and runs several times faster), else Support's pure-Swift `SHA256`.
/// Setting CN_SHARDS_PURE_SHA256=1 forces the Swift path. Both are checked against known digests in the tests.
final class ShardHasher {
    private var swift = SHA256()
    private let context: UnsafeMutableRawPointer?
    private let crypto: LibCrypto?

    /// Which implementation hashes: "libcrypto" or "swift".
    var backend: String { crypto == nil ? "swift" : "libcrypto" }

    init(forceSwift: Bool = ProcessInfo.processInfo.environment["CN_SHARDS_PURE_SHA256"] == "1") {
        if !forceSwift, let crypto = LibCrypto.shared {
            let context = UnsafeMutableRawPointer.allocate(byteCount: 512, alignment: 16)
            if crypto.initialize(context) == 1 {
                self.crypto = crypto
                self.context = context
                return
            }
            context.deallocate()
        }
        crypto = nil
        context = nil
    }

    deinit { context?.deallocate() }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        if let crypto, let context { _ = crypto.update(context, bytes.baseAddress!, bytes.count) } else { swift.update(bytes) }
    }

    func finalizeHex() -> String {
        guard let crypto, let context else { return swift.finalizeHex() }
        var digest = [UInt8](repeating: 0, count: 32)
        _ = digest.withUnsafeMutableBytes { crypto.final($0.baseAddress!, context) }
        return Hex.encode(digest)
    }
}

/// OpenSSL's SHA256_Init/Update/Final, resolved from libcrypto.so.3 (or .so) at run time.
struct LibCrypto: @unchecked Sendable {
    typealias Initialize = @convention(c) (UnsafeMutableRawPointer) -> Int32
    typealias Update = @convention(c) (UnsafeMutableRawPointer, UnsafeRawPointer, Int) -> Int32
    typealias Final = @convention(c) (UnsafeMutableRawPointer, UnsafeMutableRawPointer) -> Int32
    let initialize: Initialize
    let update: Update
    let final: Final

    static let shared: LibCrypto? = {
        for name in ["libcrypto.so.3", "libcrypto.so"] {
            guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else { continue }
            guard let i = dlsym(handle, "SHA256_Init"), let u = dlsym(handle, "SHA256_Update"), let f = dlsym(handle, "SHA256_Final") else {
                dlclose(handle)
                continue
            }
            return LibCrypto(initialize: unsafeBitCast(i, to: Initialize.self), update: unsafeBitCast(u, to: Update.self),
                             final: unsafeBitCast(f, to: Final.self))
        }
        return nil
    }()
}

/// Lower-case hex SHA-256 of a file's bytes, read in large chunks; used to verify shard indexes.
public func sha256OfFile(_ path: String) throws -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FileWriteError(path: path, operation: "open", errno: errno) }
    defer { close(fd) }
    let hasher = ShardHasher()
    let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 << 20, alignment: 64)
    defer { chunk.deallocate() }
    while true {
        let count = read(fd, chunk.baseAddress!, chunk.count)
        if count < 0 { if errno == EINTR { continue }; throw FileWriteError(path: path, operation: "read", errno: errno) }
        if count == 0 { break }
        hasher.update(UnsafeRawBufferPointer(start: chunk.baseAddress, count: count))
    }
    return hasher.finalizeHex()
}
