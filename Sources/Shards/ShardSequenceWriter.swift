import Foundation
import Support
#if canImport(Glibc)
import Glibc
#endif

/// Writes an ordered stream of samples of one split into WebDataset shards (docs/CONTRACTS.md:
/// `{folder}/{split}-{000000}.tar` + `{split}-{000000}.json`). Each shard is written under a
/// temporary name (`AtomicFile.temporaryPrefix`), fsynced, renamed to its final name, and only then
/// its index is written (atomically), so a kill at any moment leaves no file under a final shard
/// name that is incomplete — the failure img2dataset has (github.com/rom1504/img2dataset issue #164).
///
/// Boundaries follow `ShardLimits.startsNewShard` on the ordered samples alone, so the same
/// samples in the same order always give byte-identical shards. To resume, a stage can plan the
/// shards with `ShardLimits.plan`, skip those whose `ShardIndex` is intact, and write the rest
/// one at a time with `ShardSequenceWriter.writeShard`.
public final class ShardSequenceWriter {
    /// The folder holding the shards (usually `WORKDIR/shards`).
    public let folder: String
    /// The split these shards belong to.
    public let split: String
    /// Count and size caps.
    public let limits: ShardLimits
    /// Fixed tar header fields.
    public let options: TarOptions
    /// Indexes of the shards finished so far, in order.
    public private(set) var completed: [ShardIndex] = []

    private var nextNumber: Int
    private var current: TarWriter?
    private var currentTemporary = ""
    private var currentNumber = 0
    private var currentCount = 0
    private var currentBytes = 0
    private var currentKeys = Set<String>()
    private var firstKey = ""
    private var lastKey = ""

    /// Prepares to write shards of `split` into `folder`, numbering from `firstShardNumber`.
    public init(folder: String, split: String, limits: ShardLimits = ShardLimits(), options: TarOptions = .reproducible,
                firstShardNumber: Int = 0) throws {
        try ShardNaming.validateSplit(split)
        try AtomicFile.makeFolders(folder)
        self.folder = folder
        self.split = split
        self.limits = limits
        self.options = options
        self.nextNumber = firstShardNumber
    }

    deinit { current?.abandon(); if !currentTemporary.isEmpty { unlink(currentTemporary) } }

    /// Appends the next sample; returns the indexes of any shards this closed (at most one).
    @discardableResult
    public func append(_ sample: WebDatasetSample) throws -> [ShardIndex] {
        var closed: [ShardIndex] = []
        let size = sample.archivedSize
        if current != nil, limits.startsNewShard(count: currentCount, bytes: currentBytes, sampleBytes: size) {
            closed.append(try closeCurrent())
        }
        if current == nil { try openNext() }
        guard currentKeys.insert(sample.key).inserted else {
            throw ShardError(.duplicateShardKey, "sample key \(sample.key) appears twice in shard \(currentNumber) of \(split)")
        }
        for field in sample.fields {
            try current!.append(path: sample.memberName(field.name), bytes: field.bytes)
        }
        if currentCount == 0 { firstKey = sample.key }
        lastKey = sample.key
        currentCount += 1
        currentBytes += size
        return closed
    }

    /// Closes and publishes the last shard (if it holds any sample); returns every finished index.
    @discardableResult
    public func finish() throws -> [ShardIndex] {
        if current != nil { _ = try closeCurrent() }
        return completed
    }

    /// Stops without publishing the open shard and deletes its temporary file (an error path);
    /// shards already completed stay.
    public func abandon() {
        current?.abandon()
        current = nil
        if !currentTemporary.isEmpty { unlink(currentTemporary); currentTemporary = "" }
    }

    /// Writes one whole shard (`number` of `split`) from its samples, atomically, and returns its
    /// index: the unit of work of a resuming stage. Throws if the samples break the limits, so a
    /// shard written this way is the same shard the streaming writer would have produced.
    @discardableResult
    public static func writeShard<Samples: Sequence>(_ samples: Samples, folder: String, split: String, number: Int,
                                                     limits: ShardLimits = ShardLimits(), options: TarOptions = .reproducible) throws -> ShardIndex
    where Samples.Element == WebDatasetSample {
        let writer = try ShardSequenceWriter(folder: folder, split: split, limits: limits, options: options, firstShardNumber: number)
        for sample in samples {
            if try !writer.append(sample).isEmpty {
                writer.abandon()
                throw ShardError(.shardPlanMismatch, "samples given for shard \(number) of \(split) exceed the shard limits; plan with ShardLimits.plan")
            }
        }
        let indexes = try writer.finish()
        guard let index = indexes.first else { throw ShardError(.emptyShard, "no samples given for shard \(number) of \(split)") }
        return index
    }

    private func openNext() throws {
        currentNumber = nextNumber
        nextNumber += 1
        let final = folder + "/" + ShardNaming.tarName(split: split, number: currentNumber)
        currentTemporary = AtomicFile.temporaryPath(for: final)
        current = try TarWriter(path: currentTemporary, options: options)
        currentCount = 0
        currentBytes = 0
        currentKeys.removeAll(keepingCapacity: true)
    }

    private func closeCurrent() throws -> ShardIndex {
        guard let writer = current else { throw ShardError(.tarClosed, "no shard is open") }
        let (bytes, sha) = try writer.finish()
        current = nil
        let final = folder + "/" + ShardNaming.tarName(split: split, number: currentNumber)
        // The index of an earlier run, if any, goes first: a final tar name must never pair with a stale index.
        unlink(folder + "/" + ShardNaming.indexName(split: split, number: currentNumber))
        guard rename(currentTemporary, final) == 0 else {
            let code = errno
            unlink(currentTemporary)
            throw FileWriteError(path: final, operation: "rename", errno: code)
        }
        currentTemporary = ""
        syncFolder(folder)
        let index = ShardIndex(split: split, number: currentNumber, sampleCount: currentCount, byteCount: bytes,
                               sha256: sha, firstKey: firstKey, lastKey: lastKey)
        try index.write(folder: folder)
        completed.append(index)
        return index
    }

    private func syncFolder(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
