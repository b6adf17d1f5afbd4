#if canImport(Glibc)
import Glibc
#endif

/// One run of archive bytes on its way to the file, in archive order: small pieces (headers,
/// padding, small members) copied into a staging buffer, large members referenced in place (the
/// caller's array is retained, not copied). The writer thread fills it and an output thread writes
/// it with one `writev`; it is refilled only after that write returned.
final class TarBatch: @unchecked Sendable {
    /// A piece of the batch: a range of the staging buffer, or a whole shared member.
    enum Segment {
        case staged(start: Int, count: Int)
        case shared([UInt8])
    }

    /// Most segments in one batch: one `writev` takes at most IOV_MAX (1024) vectors.
    static let maximumSegments = 512

    private(set) var segments: [Segment] = []
    /// Bytes in the batch (staged and shared).
    private(set) var byteCount = 0
    private let staging: UnsafeMutableRawBufferPointer
    private var stagedCount = 0

    /// A batch whose staging buffer holds `capacity` bytes, aligned for direct I/O.
    init(capacity: Int) {
        staging = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: DirectIO.alignment)
        segments.reserveCapacity(Self.maximumSegments)
    }

    deinit { staging.deallocate() }

    /// Size of the staging buffer.
    var capacity: Int { staging.count }

    /// Staging bytes still free.
    var stagingFree: Int { staging.count - stagedCount }

    /// Is there room for one more segment?
    var hasSegmentRoom: Bool { segments.count < Self.maximumSegments - 1 }

    /// Empties the batch (drops its references to shared members).
    func reset() {
        segments.removeAll(keepingCapacity: true)
        byteCount = 0
        stagedCount = 0
    }

    /// Copies `bytes` (at most `stagingFree`) into the staging buffer.
    func stage(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        (staging.baseAddress! + stagedCount).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        grewStaging(by: bytes.count)
    }

    /// Appends `count` (at most `stagingFree`) zero bytes to the staging buffer.
    func stageZeros(_ count: Int) {
        guard count > 0 else { return }
        (staging.baseAddress! + stagedCount).initializeMemory(as: UInt8.self, repeating: 0, count: count)
        grewStaging(by: count)
    }

    /// References a whole member without copying it.
    func share(_ bytes: [UInt8]) {
        segments.append(.shared(bytes))
        byteCount += bytes.count
    }

    /// Calls `body` with one `iovec` per piece; the shared arrays' storage stays pinned (each
    /// inside its own `withUnsafeBytes`) for the whole call.
    func withIOVectors<R>(_ body: ([iovec]) throws -> R) rethrows -> R {
        var vectors: [iovec] = []
        vectors.reserveCapacity(segments.count)
        return try collect(from: 0, into: &vectors, body)
    }

    private func collect<R>(from first: Int, into vectors: inout [iovec], _ body: ([iovec]) throws -> R) rethrows -> R {
        var index = first
        while index < segments.count {
            switch segments[index] {
            case .staged(let start, let count):
                vectors.append(iovec(iov_base: staging.baseAddress! + start, iov_len: count))
                index += 1
            case .shared(let bytes):
                let next = index + 1
                return try bytes.withUnsafeBytes { raw in
                    vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress), iov_len: raw.count))
                    return try collect(from: next, into: &vectors, body)
                }
            }
        }
        return try body(vectors)
    }

    private func grewStaging(by count: Int) {
        if case .staged(let start, let previous)? = segments.last, start + previous == stagedCount {
            segments[segments.count - 1] = .staged(start: start, count: previous + count)
        } else {
            segments.append(.staged(start: stagedCount, count: count))
        }
        stagedCount += count
        byteCount += count
    }
}
