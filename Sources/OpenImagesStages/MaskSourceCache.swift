import Datasets
import Foundation
import Imaging
import Manifest
import Pipeline
import Support
import Synchronization

/// The mask source of each (root, split), opened once and shared by the workers.
final class MaskSourceCache: Sendable {
    private let table = Mutex<[String: any MaskSource]>([:])

    func source(root: String, split: String) -> any MaskSource {
        table.withLock { sources in
            let key = root + "\u{0}" + split
            if let source = sources[key] { return source }
            let source = OpenImagesLayout(root: root, split: split).maskSource()
            sources[key] = source
            return source
        }
    }
}
