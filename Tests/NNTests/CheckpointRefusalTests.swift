import Foundation
import Testing
import TestSupport
import NN
import Tensor

/// Hostile and broken checkpoints: refused or rejected with one readable line, never run, never a crash.
@Suite("Checkpoint refusal") struct CheckpointRefusalTests {
    /// The TensorError `body` throws (recording an issue when it does not throw one).
    func failure(_ body: () throws -> Void) -> TensorError? {
        do {
            try body()
            Issue.record("no error was thrown")
        } catch let error as TensorError {
            #expect(!error.message.contains("\n"), "multi-line error: \(error.message)")
            return error
        } catch {
            Issue.record("not a TensorError: \(error)")
        }
        return nil
    }

    @Test(arguments: [
        ("os-system.pt", "posix.system", "os-system"),
        ("eval.pt", "builtins.eval", "eval"),
        ("posix-system.pt", "posix.system", "posix-system"),
        ("os-system-hand.pt", "os.system", "os-system-hand"),
    ])
    func maliciousGlobalsAreRefusedAndNeverRun(file: String, global: String, canary: String) throws {
        let folder = try CheckpointFixtures.folder.get()
        // The payloads are live: Python's own unpickler ran one while making the fixtures.
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("canaries/proof").path))
        let error = failure { _ = try TorchCheckpoint(path: try CheckpointFixtures.path(file)) }
        #expect(error?.kind == "unsafe-pickle")
        #expect(error?.message.contains("global \(global)") == true, "\(error?.message ?? "")")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("canaries/\(canary)").path))
    }

    @Test func callingAnInertClassIsRefused() throws {
        let error = failure { _ = try TorchArchive(path: try CheckpointFixtures.path("called-class.pt")) }
        #expect(error?.kind == "unsafe-pickle" && error?.message.contains("ModelCheckpoint (called)") == true)
    }

    @Test func refusalHappensBeforeInterpretation() {
        // A malformed tail (a REDUCE with nothing to call) after the unsafe global: the scan refuses
        // on the global before the interpreter could trip over the stack.
        let bytes: [UInt8] = [0x80, 0x02, 0x52] + Array("cos\nsystem\n".utf8) + [0x2E]
        let error = failure { _ = try RestrictedUnpickler.load(bytes, source: "inline") }
        #expect(error?.kind == "unsafe-pickle" && error?.message.contains("os.system") == true)
    }

    @Test func refusedOpcodesAndComputedStackGlobals() {
        // INST 'os system' (protocol 0 form that calls a class).
        let inst = failure { _ = try RestrictedUnpickler.load(Array("(ios\nsystem\n.".utf8), source: "inline") }
        #expect(inst?.kind == "unsafe-pickle" && inst?.message.contains("INST") == true)
        // STACK_GLOBAL whose module string is built by a REDUCE rather than given literally.
        let computed: [UInt8] = [0x80, 0x04, 0x29, 0x8C, 0x04] + Array("eval".utf8) + [0x93, 0x2E]
        #expect(failure { _ = try RestrictedUnpickler.load(computed, source: "inline") }?.kind == "unsafe-pickle")
    }

    @Test func deepCyclicAndSharedContainers() {
        // 100,000 nested lists: bounded depth, an error rather than a stack overflow.
        let deep: [UInt8] = [0x80, 0x02] + [UInt8](repeating: 0x5D, count: 100_000) + [UInt8](repeating: 0x61, count: 99_999) + [0x2E]
        #expect(failure { _ = try RestrictedUnpickler.load(deep, source: "inline") }?.message.contains("nested deeper") == true)
        // A list that contains itself.
        let cycle: [UInt8] = [0x80, 0x02, 0x5D, 0x71, 0x00, 0x68, 0x00, 0x61, 0x2E]
        #expect(failure { _ = try RestrictedUnpickler.load(cycle, source: "inline") }?.message.contains("contains itself") == true)
        // 60 levels of a tuple holding the previous one twice: 2^60 leaves if expanded, converted once each.
        var shared: [UInt8] = [0x80, 0x02, 0x4B, 0x07]
        for _ in 0..<60 { shared += [0x32, 0x86] }
        shared.append(0x2E)
        var value = try? RestrictedUnpickler.load(shared, source: "inline")
        var depth = 0
        while case .tuple(let items)? = value { value = items.first; depth += 1 }
        #expect(depth == 60 && value == .int(7))
    }

    @Test func legacyFormatIsNamed() {
        let error = failure { _ = try TorchArchive(path: try CheckpointFixtures.path("legacy.pt")) }
        #expect(error?.kind == "legacy-torch-format")
    }

    @Test(arguments: [
        ("bad-storage-size.pt", "bad-tensor", "holds 16 bytes"),
        ("bad-offset.pt", "bad-tensor", "reach element 9223372036854775799"),
        ("bad-extent.pt", "bad-tensor", "reach element 4"),
        ("bad-overflow.pt", "bad-tensor", "too many elements"),
        ("missing-storage.pt", "bad-tensor", "storage 9"),
    ])
    func badTensorGeometryIsAReadableError(file: String, kind: String, phrase: String) throws {
        let checkpoint = try TorchCheckpoint(path: CheckpointFixtures.path(file))
        let error = failure { _ = try checkpoint.tensor("w") }
        #expect(error?.kind == kind)
        #expect(error?.message.contains(phrase) == true, "\(error?.message ?? "")")
    }

    @Test func truncatedAndCorruptArchives() throws {
        let folder = TestPaths.scratchFolder("checkpoint-corrupt")
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = try Data(contentsOf: URL(fileURLWithPath: CheckpointFixtures.path("plain.pt")))
        func attempt(_ bytes: Data, _ name: String) -> TensorError? {
            let path = folder.appendingPathComponent(name).path
            _ = FileManager.default.createFile(atPath: path, contents: bytes)
            return failure {
                let checkpoint = try TorchCheckpoint(path: path)
                for key in checkpoint.keys { _ = try checkpoint.tensor(key) }
            }
        }
        for cut in [0, 10, 21, good.count / 2, good.count - 30, good.count - 1] {
            let error = attempt(good.prefix(cut), "cut-\(cut).pt")
            #expect(error?.kind == "bad-archive", "cut at \(cut): \(error?.message ?? "")")
        }
        // Every single byte of the central directory and end record flipped in turn: an error or a
        // correct read, never a crash.
        let tail = min(good.count, 1200)
        for i in stride(from: good.count - tail, to: good.count, by: 1) {
            var bad = good
            bad[i] ^= 0xFF
            let path = folder.appendingPathComponent("flip.pt").path
            _ = FileManager.default.createFile(atPath: path, contents: bad)
            do {
                let checkpoint = try TorchCheckpoint(path: path)
                for key in checkpoint.keys { _ = try checkpoint.tensor(key) }
            } catch let error as TensorError {
                #expect(!error.message.contains("\n"))
            }
        }
        #expect(attempt(Data("not a zip at all, just text".utf8), "text.pt")?.kind == "bad-archive")
        #expect(failure { _ = try TorchCheckpoint(path: folder.appendingPathComponent("absent.pt").path) }?.kind == "unreadable-checkpoint")
    }

    @Test func zip64OffsetsNearTwoToTheSixtyThree() throws {
        // A hand-made ZIP64 end record pointing the central directory at 2^63 - 16.
        var bytes: [UInt8] = []
        func le(_ v: UInt64, _ n: Int) { for i in 0..<n { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
        let record = UInt64(bytes.count)
        le(0x0606_4B50, 4); le(44, 8); le(45, 2); le(45, 2); le(0, 4); le(0, 4)
        le(1, 8); le(1, 8); le(46, 8); le(UInt64(1) << 63 - 16, 8)
        le(0x0706_4B50, 4); le(0, 4); le(record, 8); le(1, 4)
        le(0x0605_4B50, 4); le(0, 2); le(0, 2); le(0xFFFF, 2); le(0xFFFF, 2); le(0xFFFF_FFFF, 4); le(0xFFFF_FFFF, 4); le(0, 2)
        let folder = TestPaths.scratchFolder("checkpoint-zip64")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("huge.pt").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let error = failure { _ = try TorchArchive(path: path) }
        #expect(error?.kind == "bad-archive" && error?.message.contains("central directory") == true, "\(error?.message ?? "")")
    }

    @Test func hostileSafetensorsHeaders() {
        func header(_ json: String) -> [UInt8] {
            var bytes: [UInt8] = []
            withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
            return bytes + Array(json.utf8) + [UInt8](repeating: 0, count: 8)
        }
        for json in [#"{"x":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#,
                     #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,9223372036854775807]}}"#,
                     #"{"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,8]}}"#,
                     #"{"x":{"dtype":"F32","shape":[1e300],"data_offsets":[0,8]}}"#] {
            #expect(throws: TensorError.self, "\(json)") { try Safetensors.decode(header(json)) }
        }
    }
}
