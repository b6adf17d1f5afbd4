import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive per-(workdir, stage) lock (flock on `WORKDIR/.locks/STAGE.lock`): a second
/// process running the same stage on the same workdir is refused with a clear message. The
/// kernel drops the lock when the holder dies, even by SIGKILL, so a crash never leaves it stuck.
public final class StageLock {
    private let descriptor: Int32

    /// Takes the lock or throws `RunnerError.busy` naming the holder's pid.
    public init(workdir: URL, stage: String) throws {
        let folder = workdir.appendingPathComponent(".locks")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent(stage + ".lock").path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RunnerError.cannotRun("cannot open lock file \(path): \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = pread(fd, &buffer, buffer.count, 0)
            let holder = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            close(fd)
            throw RunnerError.busy(stage: stage, workdir: workdir.path, pid: holder)
        }
        ftruncate(fd, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
        descriptor = fd
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
