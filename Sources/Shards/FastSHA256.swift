import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Support

/// SHA-256 of a byte stream for whole shards (hundreds of megabytes): OpenSSL's libcrypto when the
/// system has it (loaded at run time with dlopen, so the package needs no C target; it uses the
/// CPU's SHA extensions and runs several times faster), else the pure-Swift `FastSHA256`.
/// Setting CN_SHARDS_PURE_SHA256=1 forces the Swift path. Both are checked against Support's
/// reference `SHA256` in the tests.
final class ShardHasher {
    private var swift = FastSHA256()
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

/// SHA-256 (FIPS 180-4) in Swift over raw buffers without per-block allocation: the fallback of
/// `ShardHasher` where libcrypto is missing.
struct FastSHA256 {
    private var h: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19)
    private var pending = [UInt8](repeating: 0, count: 64)
    private var pendingCount = 0
    private var total: UInt64 = 0

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var base = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        total &+= UInt64(remaining)
        if pendingCount > 0 {
            let take = min(64 - pendingCount, remaining)
            pending.withUnsafeMutableBytes { ($0.baseAddress! + pendingCount).copyMemory(from: base, byteCount: take) }
            pendingCount += take; base += take; remaining -= take
            if pendingCount == 64 {
                let copy = pending
                copy.withUnsafeBytes { compress($0.baseAddress!, blocks: 1) }
                pendingCount = 0
            }
        }
        let blocks = remaining / 64
        if blocks > 0 {
            compress(base, blocks: blocks)
            base += blocks * 64; remaining -= blocks * 64
        }
        if remaining > 0 {
            pending.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: base, byteCount: remaining) }
            pendingCount = remaining
        }
    }

    mutating func finalizeHex() -> String {
        let bitLength = total &* 8
        var tail = Array(pending[0..<pendingCount])
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        tail.withUnsafeBytes { compress($0.baseAddress!, blocks: tail.count / 64) }
        let words = [h.0, h.1, h.2, h.3, h.4, h.5, h.6, h.7]
        var out: [UInt8] = []
        for word in words { for shift in [24, 16, 8, 0] { out.append(UInt8(truncatingIfNeeded: word >> UInt32(shift))) } }
        return Hex.encode(out)
    }

    @inline(__always) private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 &- n)) }

    private mutating func compress(_ data: UnsafeRawPointer, blocks: Int) {
        var state = h
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            FastSHA256.roundConstants.withUnsafeBufferPointer { k in
                for blockIndex in 0..<blocks {
                    let block = data + blockIndex * 64
                    for i in 0..<16 {
                        w[i] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))
                    }
                    for i in 16..<64 {
                        let a = w[i - 15], b = w[i - 2]
                        let s0 = FastSHA256.rotr(a, 7) ^ FastSHA256.rotr(a, 18) ^ (a >> 3)
                        let s1 = FastSHA256.rotr(b, 17) ^ FastSHA256.rotr(b, 19) ^ (b >> 10)
                        w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
                    }
                    var (a, b, c, d, e, f, g, hh) = state
                    for i in 0..<64 {
                        let s1 = FastSHA256.rotr(e, 6) ^ FastSHA256.rotr(e, 11) ^ FastSHA256.rotr(e, 25)
                        let ch = (e & f) ^ (~e & g)
                        let t1 = hh &+ s1 &+ ch &+ k[i] &+ w[i]
                        let s0 = FastSHA256.rotr(a, 2) ^ FastSHA256.rotr(a, 13) ^ FastSHA256.rotr(a, 22)
                        let maj = (a & b) ^ (a & c) ^ (b & c)
                        hh = g; g = f; f = e; e = d &+ t1
                        d = c; c = b; b = a; a = t1 &+ s0 &+ maj
                    }
                    state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d,
                             state.4 &+ e, state.5 &+ f, state.6 &+ g, state.7 &+ hh)
                }
            }
        }
        h = state
    }

    private static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]
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
