import GRDB

/// Applies the append-only schema migrations of Manifests/migrations (carried in `EmbeddedSQL`)
/// with GRDB's `DatabaseMigrator`, which records applied names in `grdb_migrations`.
public enum Migrations {
    /// Applies every migration not yet applied to the database.
    public static func apply(to writer: any DatabaseWriter) throws {
        var migrator = DatabaseMigrator()
        for migration in EmbeddedSQL.migrations {
            let sql = migration.sql
            migrator.registerMigration(migration.name) { db in
                try db.execute(sql: sql)
            }
        }
        try migrator.migrate(writer)
    }

    /// Refuses a database that is not a manifest (tables but no `grdb_migrations`) or that
    /// records a migration this build does not carry (written by a newer build). A database with
    /// no table at all is a new manifest.
    static func verifyKnown(_ db: Database, path: String) throws {
        guard try db.tableExists("grdb_migrations") else {
            let tables = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'") ?? 0
            if tables > 0 { throw ManifestError.notAManifest(path: path, reason: "an SQLite database without the manifest's migrations table") }
            return
        }
        let known = Set(EmbeddedSQL.migrations.map(\.name))
        let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
        if let unknown = applied.first(where: { !known.contains($0) }) {
            throw ManifestError.newerSchema(path: path, migration: unknown)
        }
    }
}
