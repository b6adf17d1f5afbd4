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
}
