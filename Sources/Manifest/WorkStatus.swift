/// The statuses of the `work` ledger (docs/CONTRACTS.md; the CHECK of Manifests/migrations/0001_core.sql).
public enum WorkStatus: String, Sendable, CaseIterable, Codable {
    case pending, done, failed, skipped
}
