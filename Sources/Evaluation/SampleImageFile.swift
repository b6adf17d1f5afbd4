// Reads a sample's image by the path the manifest records: a file, or a member inside a shard
// (`shards/{split}-{000000}.tar:{key}.{field}`, how cn-shard records the concat images it builds).
import Foundation
import Imaging
import Shards

/// Image files and shard members by manifest path.
public final class SampleImageFile {
    private var members: [String: [String: [UInt8]]] = [:]

    /// An empty reader (shards are read once, when first named).
    public init() {}

    /// The image at `path` (absolute; `TAR:MEMBER` names a member of a tar).
    public func load(_ path: String) throws -> RGBAImage {
        guard let range = path.range(of: ".tar:") else {
            do { return try ImageFile.loadRGBA(path) } catch { throw EvaluationError(.badImage, "cannot read image \(path): \(error)") }
        }
        let tar = String(path[..<range.lowerBound]) + ".tar", member = String(path[range.upperBound...])
        if members[tar] == nil {
            var table: [String: [UInt8]] = [:]
            do {
                for sample in try WebDatasetReader(path: tar).readAll() {
                    for field in sample.fields { table[sample.memberName(field.name)] = field.bytes }
                }
            } catch { throw EvaluationError(.badInput, "cannot read shard \(tar): \(error)") }
            members[tar] = table
        }
        guard let bytes = members[tar]?[member] else { throw EvaluationError(.badInput, "shard \(tar) has no member \(member)") }
        do { return try ImageFile.decodeRGBA(bytes, source: path) } catch { throw EvaluationError(.badImage, "cannot decode \(path): \(error)") }
    }
}
