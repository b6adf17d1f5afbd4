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
/// with `ShardSequenceWriter.writeShard` or `ShardResume`.
///
/// With `shardsInFlight` 2, a closed shard is finished and published on a background thread while
/// the next one fills (`ShardPublisher`): the two shards' SHA-256 run on two cores. Shards are
/// still published in order, each only after its fsync; `append` then returns the shards published
/// since the previous call, and `finish` waits for all of them.
public final class ShardSequenceWriter {
    /// The folder holding the shards (usually `WORKDIR/shards`).
    public let folder: String
    /// The split these shards belong to.
    public let split: String
    /// Count and size caps.
    public let limits: ShardLimits
    /// Fixed tar header fields.
    public let options: TarOptions
    /// Indexes of the shards published so far, in order.
    public private(set) var completed: [ShardIndex] = []

    private let publisher: ShardPublisher
    private var nextNumber: Int
    private var current: TarWriter?
    private var currentTemporary = ""
    private var currentNumber = 0
    private var currentCount = 0
    private var currentBytes = 0
    private var currentKeys = Set<String>()
    private var firstKey = ""
    private var lastKey = ""

    /// Prepares to write shards of `split` into `folder`, numbering from `firstShardNumber`, with at
    /// most `shardsInFlight` shards open at once (1: each shard is published before `append`
    /// returns; 2: a closed shard is published in the background while the next one fills).
    public convenience init(folder: String, split: String, limits: ShardLimits = ShardLimits(), options: TarOptions = .reproducible,
                            firstShardNumber: Int = 0, shardsInFlight: Int = 1) throws {
        try self.init(folder: folder, split: split, limits: limits, options: options, firstShardNumber: firstShardNumber,
                      publisher: ShardPublisher(shardsInFlight: shardsInFlight))
    }

    /// As the public initializer, publishing through `publisher` (which several writers may share).
    init(folder: String, split: String, limits: ShardLimits, options: TarOptions, firstShardNumber: Int, publisher: ShardPublisher) throws {
        try ShardNaming.validateSplit(split)
        try AtomicFile.makeFolders(folder)
        self.folder = folder
        self.split = split
        self.limits = limits
        self.options = options
        self.nextNumber = firstShardNumber
        self.publisher = publisher
    }

    deinit { current?.abandon(); if !currentTemporary.isEmpty { unlink(currentTemporary) } }

    /// Appends the next sample; returns the indexes of shards published since the previous call
    /// (with one shard in flight: the shard this closed, if any).
    @discardableResult
    public func append(_ sample: WebDatasetSample) throws -> [ShardIndex] {
        if startsNewShard(with: sample) { try closeCurrent() }
        let closed = try publisher.takePublished()
        completed += closed
        try add(sample)
        return closed
    }

    /// Does `sample` belong to a new shard (the open one is full)?
    private func startsNewShard(with sample: WebDatasetSample) -> Bool {
        current != nil && limits.startsNewShard(count: currentCount, bytes: currentBytes, sampleBytes: sample.archivedSize)
    }

    /// Writes `sample` into the open shard, opening one if none is.
    private func add(_ sample: WebDatasetSample) throws {
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
        currentBytes += sample.archivedSize
    }

    /// Closes the last shard (if it holds any sample), waits until every shard is published, and
    /// returns every published index.
    @discardableResult
    public func finish() throws -> [ShardIndex] {
        if current != nil { try closeCurrent() }
        completed += try publisher.waitForAll()
        return completed
    }

    /// Stops without publishing the open shard and deletes its temporary file (an error path);
    /// shards already closed are still published.
    public func abandon() {
        dropCurrent()
        completed += (try? publisher.waitForAll()) ?? []
    }

    /// Writes one whole shard (`number` of `split`) from its samples, atomically, and returns its
    /// index: the unit of work of a resuming stage. Throws if the samples break the limits, so a
    /// shard written this way is the same shard the streaming writer would have produced.
    @discardableResult
    public static func writeShard<Samples: Sequence>(_ samples: Samples, folder: String, split: String, number: Int,
                                                     limits: ShardLimits = ShardLimits(), options: TarOptions = .reproducible) throws -> ShardIndex
    where Samples.Element == WebDatasetSample {
        let publisher = ShardPublisher(shardsInFlight: 1)
        try writeShard(samples, folder: folder, split: split, number: number, limits: limits, options: options, publisher: publisher)
        guard let index = try publisher.waitForAll().first else { throw ShardError(.emptyShard, "no samples given for shard \(number) of \(split)") }
        return index
    }

    /// As the public `writeShard`, but hands the closed shard to `publisher` without waiting for it.
    static func writeShard<Samples: Sequence>(_ samples: Samples, folder: String, split: String, number: Int, limits: ShardLimits,
                                              options: TarOptions, publisher: ShardPublisher) throws
    where Samples.Element == WebDatasetSample {
        let writer = try ShardSequenceWriter(folder: folder, split: split, limits: limits, options: options, firstShardNumber: number,
                                             publisher: publisher)
        for sample in samples {
            if writer.startsNewShard(with: sample) {
                writer.dropCurrent()
                throw ShardError(.shardPlanMismatch, "samples given for shard \(number) of \(split) exceed the shard limits; plan with ShardLimits.plan")
            }
            try writer.add(sample)
        }
        guard writer.current != nil else { throw ShardError(.emptyShard, "no samples given for shard \(number) of \(split)") }
        try writer.closeCurrent()
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

    /// Hands the open shard to the publisher (which publishes it now, or in the background).
    private func closeCurrent() throws {
        guard let writer = current else { throw ShardError(.tarClosed, "no shard is open") }
        let shard = ClosedShard(writer: writer, folder: folder, split: split, number: currentNumber, temporary: currentTemporary,
                                sampleCount: currentCount, firstKey: firstKey, lastKey: lastKey)
        current = nil
        currentTemporary = ""
        try publisher.publish(shard)
    }

    /// Abandons the open shard, if any, and deletes its temporary file.
    private func dropCurrent() {
        current?.abandon()
        current = nil
        if !currentTemporary.isEmpty { unlink(currentTemporary); currentTemporary = "" }
    }
}
