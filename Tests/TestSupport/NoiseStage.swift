import Foundation
import Manifest
import Pipeline
import Support

/// A synthetic stage for benchmarking and crash-testing the runner (`cn-test-stage`): item i
/// writes `noise/item-{i}.bin` (bytes from the item's own random stream, hashed `rounds` times
/// to cost CPU) and one `caption` row, so its outputs and records are deterministic per seed.
public struct NoiseStage: Stage {
    /// The stage name.
    public let name = "noise"
    /// How many items to list.
    public let items: Int
    /// Bytes written per item.
    public let bytesPerItem: Int
    /// SHA-256 passes over the bytes per item (CPU cost).
    public let rounds: Int
    /// Every item whose index is a multiple of this fails on purpose (0: none).
    public let failEvery: Int

    /// Creates the stage.
    public init(items: Int, bytesPerItem: Int, rounds: Int, failEvery: Int) {
        self.items = items
        self.bytesPerItem = bytesPerItem
        self.rounds = rounds
        self.failEvery = failEvery
    }

    public func listItems(_ context: StageContext) throws -> [String] {
        (0..<items).map { String(format: "item-%06d", $0) }
    }

    public func process(_ item: ItemContext) throws -> ItemOutcome {
        let index = Int(item.key.dropFirst(5)) ?? 0
        if failEvery > 0 && index % failEvery == 0 {
            throw InjectedFailure(key: item.key)
        }
        var bytes = [UInt8](repeating: 0, count: bytesPerItem)
        var offset = 0
        while offset < bytes.count {
            var word = item.random.next()
            for _ in 0..<8 where offset < bytes.count {
                bytes[offset] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                offset += 1
            }
        }
        var digest = SHA256.hex(bytes)
        for _ in 1..<max(1, rounds) { digest = SHA256.hex(Array(digest.utf8) + bytes) }
        try item.write(bytes, to: "\(name)/\(item.key).bin")
        return .done([CaptionRecord(subjectKind: "noise", subjectID: item.key, source: "template", index: 0, text: digest)])
    }
}

/// The failure `NoiseStage` raises on purpose for items selected by --fail-every.
public struct InjectedFailure: DescribedError {
    /// The failing item.
    public let key: String
    public var kind: String { "injected-failure" }
    public var message: String { "injected failure for \(key) (--fail-every)" }
}
