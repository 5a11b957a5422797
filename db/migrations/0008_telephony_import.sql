-- Import of telephony access logs (R-ACC-1, R-LOG-1).

-- A saved column mapping per source (monitoring.ImportSource as JSON).
CREATE TABLE import_sources (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    config     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One import of a file: the file itself (so that a run resumes after a
-- crash), the source's settings as they were at the start, and progress.
CREATE TABLE import_runs (
    id          INTEGER PRIMARY KEY,
    source_id   INTEGER NOT NULL REFERENCES import_sources(id),
    source_name TEXT NOT NULL,
    config      TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    content     BLOB NOT NULL,
    actor       TEXT NOT NULL,
    status      TEXT NOT NULL,               -- running, finished
    total       INTEGER NOT NULL DEFAULT 0,
    done        INTEGER NOT NULL DEFAULT 0,  -- rows processed (a prefix of the file)
    created     INTEGER NOT NULL DEFAULT 0,
    duplicates  INTEGER NOT NULL DEFAULT 0,
    deletions   INTEGER NOT NULL DEFAULT 0,
    bad         INTEGER NOT NULL DEFAULT 0,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX import_runs_running ON import_runs(id) WHERE status = 'running';

-- The bad rows of a run, by line.
CREATE TABLE import_run_errors (
    run_id INTEGER NOT NULL REFERENCES import_runs(id),
    line   INTEGER NOT NULL,
    field  TEXT NOT NULL,
    key    TEXT NOT NULL,
    PRIMARY KEY (run_id, line)
) WITHOUT ROWID;
