import Foundation
import Support
#if canImport(Glibc)
import Glibc
#endif

/// A shard whose last sample is appended, still under its temporary name: what `ShardPublisher`
/// finishes. Publishing follows the "shard done" rule (docs/CONTRACTS.md, img2dataset's
/// `_stats.json` rule): the tar is ended, written out and fsynced, any stale index removed, the
/// tar renamed to its final name, the folder fsynced, and only then the index written (atomically).
struct ClosedShard: @unchecked Sendable {
    /// The open tar (only the publishing thread touches it from now on).
    let writer: TarWriter
    /// The shard folder.
    let folder: String
    /// The split.
    let split: String
    /// The shard number.
    let number: Int
    /// The temporary file the tar is written to.
    let temporary: String
    /// Samples in the shard.
    let sampleCount: Int
    /// Key of the first and last sample.
    let firstKey: String, lastKey: String

    /// Finishes the tar and publishes it under its final name with its index; returns the index.
    func publish() throws -> ShardIndex {
        let bytes: Int, sha: String
        do {
            (bytes, sha) = try writer.finish()
        } catch {
            unlink(temporary)
            throw error
        }
        let final = folder + "/" + ShardNaming.tarName(split: split, number: number)
        // The index of an earlier run, if any, goes first: a final tar name must never pair with a stale index.
        unlink(folder + "/" + ShardNaming.indexName(split: split, number: number))
        guard rename(temporary, final) == 0 else {
            let code = errno
            unlink(temporary)
            throw FileWriteError(path: final, operation: "rename", errno: code)
        }
        syncFolder()
        let index = ShardIndex(split: split, number: number, sampleCount: sampleCount, byteCount: bytes,
                               sha256: sha, firstKey: firstKey, lastKey: lastKey)
        try index.write(folder: folder)
        return index
    }

    /// Drops the shard unpublished (a shard before it failed): its temporary file is deleted.
    func discard() {
        writer.abandon()
        unlink(temporary)
    }

    private func syncFolder() {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
