-- Core bookkeeping: every invocation, the per-item work ledger, and every published file.
-- DESIGN.md "Workdir and manifest" (CONTRACT): work(stage, item, status, attempts, error,
-- output, updated_at), UNIQUE(stage, item).

CREATE TABLE run (
    id            INTEGER PRIMARY KEY,
    executable    TEXT    NOT NULL,
    stage         TEXT    NOT NULL,
    arguments     TEXT    NOT NULL,             -- JSON array of the command line
    config_hash   TEXT,                         -- sha256 of the pipeline YAML bytes, NULL without --config
    seed          INTEGER NOT NULL,
    partition     TEXT    NOT NULL,             -- "I/N", "0/1" when unpartitioned
    jobs          INTEGER NOT NULL,
    started_at    TEXT    NOT NULL,
    ended_at      TEXT,                         -- NULL while running or after a kill
    exit_status   INTEGER,
    claimed       INTEGER NOT NULL DEFAULT 0,   -- items handed to workers (sum of attempts it caused)
    done          INTEGER NOT NULL DEFAULT 0,
    failed        INTEGER NOT NULL DEFAULT 0,
    skipped       INTEGER NOT NULL DEFAULT 0,
    pending       INTEGER NOT NULL DEFAULT 0    -- left pending in this partition when the run ended
);

CREATE TABLE work (
    stage       TEXT    NOT NULL,
    item        TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'done', 'failed', 'skipped')),
    attempts    INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    error_kind  TEXT,                           -- stable failure/skip class, e.g. 'corrupt-jpeg'
    error       TEXT,                           -- one line, for people
    output      TEXT,                           -- workdir-relative output (file or folder)
    updated_at  TEXT    NOT NULL,
    PRIMARY KEY (stage, item)
) WITHOUT ROWID;

CREATE INDEX work_by_status ON work (stage, status);

CREATE TABLE artifact (
    stage   TEXT    NOT NULL,
    item    TEXT    NOT NULL,
    path    TEXT    NOT NULL PRIMARY KEY,       -- workdir-relative
    bytes   INTEGER NOT NULL,
    sha256  TEXT    NOT NULL,
    FOREIGN KEY (stage, item) REFERENCES work (stage, item)
);

CREATE INDEX artifact_by_item ON artifact (stage, item);
