import Foundation
import Manifest

// `cn-bench-manifest ROWS BATCH WORKDIR`: inserts ROWS pending `work` rows through
// WorkLedger.enqueue (sorted, as the stage runner queues them) in transactions of BATCH rows into a fresh manifest and prints rows/s.
// Driven by scripts/bench/manifest, which runs Python's sqlite3 on the same inserts.
let arguments = CommandLine.arguments
guard arguments.count == 4, let rows = Int(arguments[1]), let batch = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: cn-bench-manifest ROWS BATCH WORKDIR\n".utf8))
    exit(2)
}
let workdir = URL(fileURLWithPath: arguments[3])
try? FileManager.default.removeItem(at: workdir)
let store = try ManifestStore.open(workdir: workdir)
let keys = (0..<rows).map { String(format: "%016llx_m0%04d_%08d", UInt64($0) &* 0x9E37_79B9_7F4A_7C15, $0 % 9973, $0) }.sorted()
let now = Timestamp.now()
let start = Date()
var offset = 0
while offset < rows {
    let slice = keys[offset..<min(offset + batch, rows)]
    try store.write { db in _ = try WorkLedger.enqueue(db, stage: "extract", keys: slice, now: now) }
    offset += slice.count
}
let seconds = Date().timeIntervalSince(start)
let count = try store.read { try WorkLedger.totalItems($0) }
precondition(count == rows, "expected \(rows) rows, found \(count)")
print(String(format: "swift   %9d rows in %6.2f s = %9.0f rows/s (batch %d)", rows, seconds, Double(rows) / seconds, batch))
