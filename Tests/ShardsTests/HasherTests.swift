import Foundation
@testable import Shards
import Support
import Testing

@Suite("shard SHA-256 backends")
struct HasherTests {
    @Test("libcrypto and pure-Swift paths both equal Support's SHA256, across chunkings")
    func backendsAgree() {
        var random = SeededRandom(seed: 3)
        let payload = (0..<200_003).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        for count in [0, 3, 63, 64, 65, 1000, 200_003] {
            let expected = SHA256.hex(payload[0..<count])
            for forceSwift in [true, false] {
                let hasher = ShardHasher(forceSwift: forceSwift)
                payload.withUnsafeBytes { raw in
                    var offset = 0, step = 1
                    while offset < count {
                        let n = min(step, count - offset)
                        hasher.update(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + n)]))
                        offset += n
                        step = step * 3 + 1
                    }
                }
                #expect(hasher.finalizeHex() == expected, "\(hasher.backend) at \(count) bytes")
            }
        }
        #expect(ShardHasher(forceSwift: true).backend == "swift")
        print("shard hasher backend on this machine: \(ShardHasher().backend)")
    }
}
