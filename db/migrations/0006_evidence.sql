-- Evidence the staff can hold (issue 5): signing keys, issued chain
-- receipts and the retention checkpoints of the use log (R-LOG-1, R-LOG-2).

-- The installation's id, printed in every receipt (random, never changes).
INSERT OR IGNORE INTO meta (key, value) VALUES ('installation_id', lower(hex(randomblob(16))));

-- Ed25519 public keys of the installation. The private key of the current
-- one (retired_at = '') lives in a file beside the database; retired keys
-- are kept so that older receipts and checkpoints still verify.
CREATE TABLE signing_keys (
    id         TEXT PRIMARY KEY,                  -- monitoring.KeyIDOf
    public_key TEXT NOT NULL,                     -- base64 (std)
    created_at TEXT NOT NULL,
    retired_at TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX signing_keys_current ON signing_keys((1)) WHERE retired_at = '';
CREATE TRIGGER signing_keys_no_delete BEFORE DELETE ON signing_keys BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER signing_keys_retire_only BEFORE UPDATE ON signing_keys
WHEN OLD.retired_at <> '' OR NEW.id <> OLD.id OR NEW.public_key <> OLD.public_key OR NEW.created_at <> OLD.created_at
BEGIN SELECT RAISE(ABORT, 'append-only'); END;

-- Issued receipts, newest first by id; receipt is the signed JSON file.
CREATE TABLE receipts (
    id        INTEGER PRIMARY KEY,
    issued_at TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    auto      INTEGER NOT NULL DEFAULT 0,
    count     INTEGER NOT NULL,
    head_hash TEXT NOT NULL,
    key_id    TEXT NOT NULL REFERENCES signing_keys(id),
    signature TEXT NOT NULL,
    receipt   TEXT NOT NULL
);
CREATE INDEX receipts_count ON receipts(count);
CREATE INDEX receipts_auto ON receipts(auto, issued_at);
CREATE TRIGGER receipts_no_update BEFORE UPDATE ON receipts BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER receipts_no_delete BEFORE DELETE ON receipts BEGIN SELECT RAISE(ABORT, 'append-only'); END;

-- Retention checkpoints (R-LOG-2): the use log's entries 1..through_seq
-- were removed; the chain continues from through_hash. anchors are the
-- heads of the receipts issued inside the range this checkpoint removed
-- ("seq:hash,..."). Checkpoints are chained (prev_hash/hash) and signed.
CREATE TABLE use_checkpoints (
    id           INTEGER PRIMARY KEY,
    through_seq  INTEGER NOT NULL UNIQUE,
    through_hash TEXT NOT NULL,
    cutoff       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    removed      INTEGER NOT NULL,
    anchors      TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL,
    key_id       TEXT NOT NULL REFERENCES signing_keys(id),
    signature    TEXT NOT NULL
);
CREATE TRIGGER use_checkpoints_no_update BEFORE UPDATE ON use_checkpoints BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER use_checkpoints_no_delete BEFORE DELETE ON use_checkpoints BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER use_checkpoints_forward BEFORE INSERT ON use_checkpoints
WHEN NEW.through_seq <= COALESCE((SELECT MAX(through_seq) FROM use_checkpoints), 0)
BEGIN SELECT RAISE(ABORT, 'append-only'); END;

-- The use log stays append-only: every UPDATE is refused, and a DELETE only
-- of an entry behind the latest checkpoint, i.e. by the retention job in the
-- transaction that wrote that checkpoint. (Same names as in 0001/0003.)
DROP TRIGGER uses_no_delete;
DROP TRIGGER use_employees_no_delete;
DROP TRIGGER use_flags_no_delete;
DROP TRIGGER use_flag_months_no_delete;
CREATE TRIGGER uses_no_delete BEFORE DELETE ON uses
WHEN OLD.seq > COALESCE((SELECT MAX(through_seq) FROM use_checkpoints), 0)
BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER use_employees_no_delete BEFORE DELETE ON use_employees
WHEN OLD.use_seq > COALESCE((SELECT MAX(through_seq) FROM use_checkpoints), 0)
BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER use_flags_no_delete BEFORE DELETE ON use_flags
WHEN OLD.use_seq > COALESCE((SELECT MAX(through_seq) FROM use_checkpoints), 0)
BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER use_flag_months_no_delete BEFORE DELETE ON use_flag_months
WHEN OLD.use_seq > COALESCE((SELECT MAX(through_seq) FROM use_checkpoints), 0)
BEGIN SELECT RAISE(ABORT, 'append-only'); END;
