// The safetensors layout of NN's `Safetensors.encode` (8-byte header length, JSON header with
// sorted keys padded to 8 bytes, raw little-endian F32 data), written tensor by tensor straight
// from the tensors' storage: a checkpoint of the sd preset (UNet, two AdamW moments, EMA: ~14 GB)
// is never assembled in memory.
import Foundation
import NN
import Support
import Tensor
#if canImport(Glibc)
import Glibc
#endif

enum SafetensorsStream {
    /// Writes `tensors` and `metadata` to `path` atomically (temporary name, fsync, rename,
    /// folder fsync); the bytes equal `Safetensors.encode(tensors, metadata:)`.
    static func write(_ tensors: [String: Tensor], metadata: [String: String], to path: String) throws {
        let names = tensors.keys.sorted()
        let (header, _) = Safetensors.header(tensors, metadata: metadata)
        let folder = (path as NSString).deletingLastPathComponent
        try AtomicFile.makeFolders(folder)
        let temporary = AtomicFile.temporaryPath(for: path)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileWriteError(path: temporary, operation: "create", errno: errno) }
        func put(_ buffer: UnsafeRawBufferPointer) throws {
            var done = 0
            while done < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    let code = errno
                    close(fd); unlink(temporary)
                    throw FileWriteError(path: temporary, operation: "write", errno: code)
                }
                done += n
            }
        }
        var length = UInt64(header.count).littleEndian
        try withUnsafeBytes(of: &length) { try put($0) }
        try header.withUnsafeBytes { try put($0) }
        for name in names {
            // Float32 storage is little-endian on every platform this project builds for.
            try tensors[name]!.data.withUnsafeBytes { try put($0) }
        }
        if fsync(fd) != 0 {
            let code = errno
            close(fd); unlink(temporary)
            throw FileWriteError(path: temporary, operation: "fsync", errno: code)
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw FileWriteError(path: path, operation: "rename", errno: code)
        }
        AtomicFile.syncFolder(folder)
    }
}
