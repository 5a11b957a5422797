-- Rollups of the use log (issue "Performance"). They are maintained in the
-- same write transaction as the uses they count (db/rollup.go), so that the
-- dashboard and the statistics read a few rows instead of scanning uses.
--
-- Invariant: every rollup equals the aggregate of the uses table that
-- db/rollup.go's rebuild queries compute from scratch (tested in
-- db/rollup_test.go). Months and days are UTC calendar periods of
-- occurred_at. Anything that removes uses (the retention job of a later
-- issue) must decrement the rollups and delete the use_flag_months rows in
-- the same transaction.

-- Counts per activity × purpose × unit × month × flag: the representatives'
-- statistics. unit is the unit of a monitored employee at occurred_at ('' if
-- unknown); a use with employees in several units counts once in each.
-- flag '' counts every use, any other value the uses with that flag.
CREATE TABLE use_rollup (
    activity_id INTEGER NOT NULL,
    purpose     TEXT NOT NULL,
    unit        TEXT NOT NULL,
    month       TEXT NOT NULL,                    -- 'YYYY-MM'
    flag        TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (activity_id, purpose, unit, month, flag)
) WITHOUT ROWID;

-- Flagged uses per day and flag: the dashboard's 30-day window. flag ''
-- counts flagged uses (any flag).
CREATE TABLE use_flag_days (
    day  TEXT NOT NULL,                           -- 'YYYY-MM-DD'
    flag TEXT NOT NULL,
    n    INTEGER NOT NULL,
    PRIMARY KEY (day, flag)
) WITHOUT ROWID;

-- One row per flag of a use, keyed for the filtered list "activity + flag +
-- month", newest first by cursor without OFFSET.
CREATE TABLE use_flag_months (
    activity_id INTEGER NOT NULL,
    flag        TEXT NOT NULL,
    month       TEXT NOT NULL,                    -- 'YYYY-MM' of occurred_at
    use_seq     INTEGER NOT NULL,
    PRIMARY KEY (activity_id, flag, month, use_seq)
) WITHOUT ROWID;
CREATE TRIGGER use_flag_months_no_update BEFORE UPDATE ON use_flag_months BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER use_flag_months_no_delete BEFORE DELETE ON use_flag_months BEGIN SELECT RAISE(ABORT, 'append-only'); END;

-- Backfill from the uses already stored (the same aggregates as the rebuild
-- queries of db/rollup.go).
INSERT INTO use_flag_months (activity_id, flag, month, use_seq)
SELECT f.activity_id, f.flag, substr(u.occurred_at, 1, 7), f.use_seq
FROM use_flags f JOIN uses u ON u.seq = f.use_seq;

INSERT INTO use_flag_days (day, flag, n)
SELECT day, flag, COUNT(*) FROM (
    SELECT substr(u.occurred_at, 1, 10) AS day, f.flag AS flag
    FROM use_flags f JOIN uses u ON u.seq = f.use_seq
    UNION ALL
    SELECT substr(occurred_at, 1, 10), '' FROM uses WHERE flags <> 0
) GROUP BY day, flag;

INSERT INTO use_rollup (activity_id, purpose, unit, month, flag, n)
SELECT activity_id, purpose, unit, month, flag, COUNT(*) FROM (
    SELECT DISTINCT u.seq, u.activity_id, u.purpose, substr(u.occurred_at, 1, 7) AS month, fl.flag,
        COALESCE((SELECT h.unit FROM employee_history h WHERE h.staff_id = e.staff_id AND h.valid_from <= u.occurred_at
            ORDER BY h.valid_from DESC LIMIT 1), '') AS unit
    FROM uses u
    JOIN use_employees e ON e.use_seq = u.seq
    JOIN (SELECT use_seq, flag FROM use_flags UNION ALL SELECT seq, '' FROM uses) fl ON fl.use_seq = u.seq
) GROUP BY activity_id, purpose, unit, month, flag;

-- Indexes that give two hot queries their order without a sort (plan_test.go):
-- the writer's "version in force at t" and the dashboard's overdue list.
CREATE INDEX activity_versions_at ON activity_versions(activity_id, valid_from, version);
DROP INDEX activity_versions_time;
CREATE INDEX recordings_due_ref ON recordings(deletion_due, ref) WHERE deleted_at = '' AND deletion_due <> '';
DROP INDEX recordings_due;
