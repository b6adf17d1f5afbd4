import Foundation
import Pipeline
import TestSupport

/// `NoiseStage` with planted faults for the runner's robustness tests: one item whose process
/// traps (an integer overflow, as the red team's poison inputs did) and one that hangs (a stuck
/// load that only a stop signal's grace can end).
struct FaultyStage: Stage {
    /// The stage doing the real work.
    let inner: NoiseStage
    /// The item index whose processing traps the whole process (nil: none).
    let crashItem: Int?
    /// The item index whose processing never returns (nil: none).
    let hangItem: Int?

    var name: String { inner.name }

    func listItems(_ context: StageContext) throws -> [String] { try inner.listItems(context) }

    func process(_ item: ItemContext) throws -> ItemOutcome {
        let index = Int(item.key.dropFirst(5)) ?? -1
        if index == crashItem {
            let huge = Int.max - index % 2
            let overflowed = huge + item.key.count
            if overflowed == 0 { print(overflowed) }
        }
        if index == hangItem {
            while true { Thread.sleep(forTimeInterval: 0.1) }
        }
        return try inner.process(item)
    }
}
