-- Vaaka schema, version 1. Times are UTC text (RFC 3339 with nanoseconds,
-- sortable); dates are 'YYYY-MM-DD'. Never edit an applied migration: add one.

CREATE TABLE organisation (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    name               TEXT NOT NULL DEFAULT '',
    business_id        TEXT NOT NULL DEFAULT '',
    address            TEXT NOT NULL DEFAULT '',
    dpo_contact        TEXT NOT NULL DEFAULT '',
    privacy_notice_url TEXT NOT NULL DEFAULT '',
    sector             TEXT NOT NULL DEFAULT 'private',
    headcount          INTEGER NOT NULL DEFAULT 0,
    default_language   TEXT NOT NULL DEFAULT 'fi',
    time_zone          TEXT NOT NULL DEFAULT 'Europe/Helsinki',
    updated_at         TEXT NOT NULL DEFAULT ''
);
INSERT INTO organisation (id) VALUES (1);

-- Key-value facts of the installation (installation id, demo flag, ...).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    email               TEXT NOT NULL COLLATE NOCASE UNIQUE,
    name                TEXT NOT NULL,
    roles               TEXT NOT NULL,            -- comma-separated
    staff_id            TEXT NOT NULL DEFAULT '',
    language            TEXT NOT NULL DEFAULT 'fi',
    active              INTEGER NOT NULL DEFAULT 1,
    password_hash       TEXT NOT NULL,
    password_changed_at TEXT NOT NULL,
    created_at          TEXT NOT NULL
);
CREATE INDEX users_staff_id ON users(staff_id) WHERE staff_id <> '';

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    ip         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    name         TEXT NOT NULL,
    scopes       TEXT NOT NULL,                   -- comma-separated
    hash         TEXT NOT NULL UNIQUE,            -- SHA-256 hex of the secret
    created_at   TEXT NOT NULL,
    last_used_at TEXT NOT NULL DEFAULT '',
    revoked_at   TEXT NOT NULL DEFAULT ''
);

CREATE TABLE units (
    name       TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
);

CREATE TABLE employees (
    staff_id   TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    email      TEXT NOT NULL DEFAULT '',
    unit       TEXT NOT NULL REFERENCES units(name),
    language   TEXT NOT NULL DEFAULT 'fi',
    active     INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX employees_unit ON employees(unit, staff_id);

-- Which unit an employee was in, and whether active, from valid_from on:
-- flags are computed from the state at a use's occurred_at.
CREATE TABLE employee_history (
    staff_id   TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    unit       TEXT NOT NULL,
    active     INTEGER NOT NULL,
    PRIMARY KEY (staff_id, valid_from)
);

CREATE TABLE activities (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    status     TEXT NOT NULL,
    version    INTEGER NOT NULL,
    data       TEXT NOT NULL,                     -- JSON of the current version
    review_on  TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX activities_status ON activities(status, id);

-- Every version of every activity, with its validity start: the register's
-- history of changes and the state at a use's occurred_at.
CREATE TABLE activity_versions (
    activity_id INTEGER NOT NULL REFERENCES activities(id),
    version     INTEGER NOT NULL,
    valid_from  TEXT NOT NULL,
    actor       TEXT NOT NULL,
    status      TEXT NOT NULL,
    data        TEXT NOT NULL,
    PRIMARY KEY (activity_id, version)
);
CREATE INDEX activity_versions_time ON activity_versions(activity_id, valid_from);

CREATE TABLE recordings (
    ref               TEXT PRIMARY KEY,
    call_started_at   TEXT NOT NULL,
    direction         TEXT NOT NULL,
    activity_id       INTEGER NOT NULL REFERENCES activities(id),
    employee_staff_id TEXT NOT NULL DEFAULT '',
    deletion_due      TEXT NOT NULL DEFAULT '',   -- '' without a retention period
    deleted_at        TEXT NOT NULL DEFAULT '',
    deleted_by        TEXT NOT NULL DEFAULT '',
    first_seen_at     TEXT NOT NULL,
    source            TEXT NOT NULL
);
-- The overdue list: not deleted, ordered by deadline.
CREATE INDEX recordings_due ON recordings(deletion_due) WHERE deleted_at = '' AND deletion_due <> '';
CREATE INDEX recordings_activity ON recordings(activity_id, call_started_at);

-- The use log: append-only and hash-chained (R-LOG-1). seq is the chain
-- position; flags is a bit mask in monitoring.AllFlags order.
CREATE TABLE uses (
    seq               INTEGER PRIMARY KEY,
    id                TEXT NOT NULL UNIQUE,
    source            TEXT NOT NULL,
    external_id       TEXT,                       -- NULL when none given
    activity_id       INTEGER NOT NULL,
    recording_ref     TEXT NOT NULL,
    call_started_at   TEXT NOT NULL,
    direction         TEXT NOT NULL,
    employee_staff_ids TEXT NOT NULL,             -- unit-separator (0x1f) joined
    used_by           TEXT NOT NULL COLLATE NOCASE,
    action            TEXT NOT NULL,
    purpose           TEXT NOT NULL,
    note              TEXT NOT NULL,
    occurred_at       TEXT NOT NULL,
    recorded_at       TEXT NOT NULL,
    corrects          TEXT NOT NULL DEFAULT '',
    flags             INTEGER NOT NULL,
    prev_hash         TEXT NOT NULL,
    hash              TEXT NOT NULL
);
CREATE UNIQUE INDEX uses_external ON uses(source, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX uses_activity ON uses(activity_id, seq);
CREATE INDEX uses_used_by ON uses(used_by, seq);
CREATE INDEX uses_flagged ON uses(occurred_at) WHERE flags <> 0;

-- One row per monitored employee of a use: "my uses" and the employee filter.
CREATE TABLE use_employees (
    staff_id TEXT NOT NULL,
    use_seq  INTEGER NOT NULL,
    PRIMARY KEY (staff_id, use_seq)
) WITHOUT ROWID;

-- One row per flag of a use: the flag filter.
CREATE TABLE use_flags (
    flag        TEXT NOT NULL,
    use_seq     INTEGER NOT NULL,
    activity_id INTEGER NOT NULL,
    PRIMARY KEY (flag, use_seq)
) WITHOUT ROWID;
CREATE INDEX use_flags_activity ON use_flags(activity_id, flag, use_seq);

CREATE TRIGGER uses_no_update BEFORE UPDATE ON uses BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER uses_no_delete BEFORE DELETE ON uses BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER use_employees_no_update BEFORE UPDATE ON use_employees BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER use_employees_no_delete BEFORE DELETE ON use_employees BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER use_flags_no_update BEFORE UPDATE ON use_flags BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER use_flags_no_delete BEFORE DELETE ON use_flags BEGIN SELECT RAISE(ABORT, 'append-only'); END;

-- The audit trail: append-only and hash-chained.
CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit(entity, entity_id, seq);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'append-only'); END;
