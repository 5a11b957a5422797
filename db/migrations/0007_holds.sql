-- Vaaka schema, version 7: legal holds on recordings (issue "Evidence the
-- staff can hold", R-RET-2). A hold suspends the recording's deletion
-- deadline: while one is in force the recording is not overdue. Every hold
-- ever set is kept (history); released_* are '' while it is in force. At
-- most one hold per recording is in force at a time. Times are UTC text as
-- in 0001.
CREATE TABLE recording_holds (
    id             INTEGER PRIMARY KEY,
    recording_ref  TEXT NOT NULL REFERENCES recordings(ref),
    reason         TEXT NOT NULL,
    set_by         TEXT NOT NULL,
    set_at         TEXT NOT NULL,
    released_at    TEXT NOT NULL DEFAULT '',
    released_by    TEXT NOT NULL DEFAULT '',
    release_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX recording_holds_ref ON recording_holds(recording_ref, id);
-- One hold in force per recording.
CREATE UNIQUE INDEX recording_holds_active ON recording_holds(recording_ref) WHERE released_at = '';

-- 1 while a hold is in force (kept in step with recording_holds in the same
-- transaction). Overdue lists and counts exclude on_hold = 1.
ALTER TABLE recordings ADD COLUMN on_hold INTEGER NOT NULL DEFAULT 0;

-- The overdue list: not deleted, not held, ordered by deadline.
CREATE INDEX recordings_due_unheld ON recordings(deletion_due) WHERE deleted_at = '' AND deletion_due <> '' AND on_hold = 0;
