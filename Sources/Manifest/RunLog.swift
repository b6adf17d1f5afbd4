import Foundation
import GRDB
import Support

/// The `run` table: one row per invocation of a stage, with its arguments, config hash, seed,
/// start and end, and the counts of what it did.
public enum RunLog {
    /// What identifies an invocation.
    public struct Invocation: Sendable {
        /// The executable's name, e.g. "cn-extract".
        public var executable: String
        /// The stage name.
        public var stage: String
        /// The full command line.
        public var arguments: [String]
        /// sha256 of the pipeline YAML, when one was given.
        public var configHash: String?
        /// The run seed.
        public var seed: UInt64
        /// "I/N".
        public var partition: String
        /// Worker threads.
        public var jobs: Int
        /// The effective step configuration as key-sorted JSON, when the command has settings.
        public var config: String?

        /// Creates an invocation record.
        public init(executable: String, stage: String, arguments: [String], configHash: String?, seed: UInt64, partition: String, jobs: Int, config: String? = nil) {
            self.executable = executable
            self.stage = stage
            self.arguments = arguments
            self.configHash = configHash
            self.seed = seed
            self.partition = partition
            self.jobs = jobs
            self.config = config
        }
    }

    /// Inserts the run row at start and returns its id.
    public static func start(_ db: Database, _ invocation: Invocation, now: String) throws -> Int64 {
        let argumentsJSON = JSONString.array(invocation.arguments)
        try db.execute(sql: """
            INSERT INTO run (executable, stage, arguments, config_hash, seed, partition, jobs, started_at, config)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [invocation.executable, invocation.stage, argumentsJSON, invocation.configHash,
                             Int64(bitPattern: invocation.seed), invocation.partition, invocation.jobs, now, invocation.config])
        return db.lastInsertedRowID
    }

    /// Adds claimed items and finished counts to a run row (called in every batch transaction).
    public static func add(_ db: Database, run: Int64, claimed: Int, done: Int, failed: Int, skipped: Int) throws {
        try db.execute(sql: """
            UPDATE run SET claimed = claimed + ?, done = done + ?, failed = failed + ?, skipped = skipped + ? WHERE id = ?
            """, arguments: [claimed, done, failed, skipped, run])
    }

    /// Closes a run row with its exit status and the items left pending.
    public static func finish(_ db: Database, run: Int64, exitStatus: Int32, pending: Int, now: String) throws {
        try db.execute(sql: "UPDATE run SET ended_at = ?, exit_status = ?, pending = ? WHERE id = ?",
                       arguments: [now, Int(exitStatus), pending, run])
    }
}
