import GRDB

/// A manifest row a stage returns for one item (an `asset`, `view`, `extraction` ... record),
/// committed by the stage runner in the same transaction as the item's 'done' row. Writing must
/// be deterministic for a given item so that an interrupted and an uninterrupted run leave
/// identical rows: by default a record replaces the row with its primary key.
public protocol ItemRecord: Sendable {
    /// Writes the row inside the runner's transaction.
    func store(in db: Database) throws
}

extension ItemRecord where Self: PersistableRecord {
    /// Inserts the row, replacing an earlier row with the same primary key (`INSERT OR REPLACE`).
    public func store(in db: Database) throws {
        try insert(db, onConflict: .replace)
    }
}
