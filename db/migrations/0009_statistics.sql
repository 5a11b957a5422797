-- Vaaka schema, version 9: the representatives' statistics and the charts
-- (issue "Evidence the staff can hold"; SPEC "Aggregates for
-- representatives"). Rollups kept in the write transaction of the uses they
-- count (db/rollup.go), so that the statistics and the charts never scan
-- the use log. The invariant of 0003 extends to every table here.

-- Distinct employees per statistics cell: one row per cell of use_rollup
-- (activity × purpose × unit × month × flag) and monitored employee, n the
-- uses of that cell naming the employee. A row whose n would reach 0 is
-- deleted (rollupRemove), so the rows of a cell are its distinct employees.
-- Keyed so that a coarser cell (activity × month × flag) is one index range.
CREATE TABLE use_rollup_employees (
    activity_id INTEGER NOT NULL,
    month       TEXT NOT NULL,                    -- 'YYYY-MM'
    flag        TEXT NOT NULL,                    -- '' = every use
    purpose     TEXT NOT NULL,
    unit        TEXT NOT NULL,                    -- the employee's unit at occurred_at ('' unknown)
    staff_id    TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (activity_id, month, flag, purpose, unit, staff_id)
) WITHOUT ROWID;

-- The distinct employees of each use_rollup cell (the rows of that cell in
-- use_rollup_employees), kept beside its count.
ALTER TABLE use_rollup ADD COLUMN employees INTEGER NOT NULL DEFAULT 0;
-- The statistics read a period of months for every activity.
CREATE INDEX use_rollup_month ON use_rollup(month, activity_id, flag);

-- Uses per activity and week for the charts. week is the Monday (UTC) of
-- occurred_at as 'YYYY-MM-DD'; flag '' counts every use, any other value
-- the uses with that flag.
CREATE TABLE use_week_rollup (
    week        TEXT NOT NULL,
    activity_id INTEGER NOT NULL,
    flag        TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (week, activity_id, flag)
) WITHOUT ROWID;

-- "Deletions due vs done per week", per activity: kind 'due' counts the
-- recordings whose deletion deadline falls in the week (held recordings
-- left out: their deadline is suspended, R-RET-2), 'done' those confirmed
-- deleted in it. week as in use_week_rollup, of deletion_due / deleted_at.
-- Kept by triggers, so that every writer of recordings (the use writer,
-- the ledger, holds, imports, bulk updates) keeps it without knowing it;
-- counting index ranges of recordings instead would read ~10^5 entries
-- per chart at 1M uses.
CREATE TABLE recording_week_rollup (
    week        TEXT NOT NULL,
    activity_id INTEGER NOT NULL,
    kind        TEXT NOT NULL,                    -- 'due' | 'done'
    n           INTEGER NOT NULL,
    PRIMARY KEY (week, activity_id, kind)
) WITHOUT ROWID;

CREATE TRIGGER recordings_week_insert AFTER INSERT ON recordings BEGIN
    INSERT INTO recording_week_rollup (week, activity_id, kind, n)
    SELECT date(substr(NEW.deletion_due, 1, 10), '-6 days', 'weekday 1'), NEW.activity_id, 'due', 1
    WHERE NEW.deletion_due <> '' AND NEW.on_hold = 0
    ON CONFLICT (week, activity_id, kind) DO UPDATE SET n = n + 1;
    INSERT INTO recording_week_rollup (week, activity_id, kind, n)
    SELECT date(substr(NEW.deleted_at, 1, 10), '-6 days', 'weekday 1'), NEW.activity_id, 'done', 1
    WHERE NEW.deleted_at <> ''
    ON CONFLICT (week, activity_id, kind) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER recordings_week_delete AFTER DELETE ON recordings BEGIN
    UPDATE recording_week_rollup SET n = n - 1
    WHERE OLD.deletion_due <> '' AND OLD.on_hold = 0 AND kind = 'due' AND activity_id = OLD.activity_id
      AND week = date(substr(OLD.deletion_due, 1, 10), '-6 days', 'weekday 1');
    UPDATE recording_week_rollup SET n = n - 1
    WHERE OLD.deleted_at <> '' AND kind = 'done' AND activity_id = OLD.activity_id
      AND week = date(substr(OLD.deleted_at, 1, 10), '-6 days', 'weekday 1');
END;

CREATE TRIGGER recordings_week_update AFTER UPDATE OF deletion_due, deleted_at, on_hold, activity_id ON recordings
WHEN OLD.deletion_due IS NOT NEW.deletion_due OR OLD.deleted_at IS NOT NEW.deleted_at
  OR OLD.on_hold IS NOT NEW.on_hold OR OLD.activity_id IS NOT NEW.activity_id
BEGIN
    UPDATE recording_week_rollup SET n = n - 1
    WHERE OLD.deletion_due <> '' AND OLD.on_hold = 0 AND kind = 'due' AND activity_id = OLD.activity_id
      AND week = date(substr(OLD.deletion_due, 1, 10), '-6 days', 'weekday 1');
    UPDATE recording_week_rollup SET n = n - 1
    WHERE OLD.deleted_at <> '' AND kind = 'done' AND activity_id = OLD.activity_id
      AND week = date(substr(OLD.deleted_at, 1, 10), '-6 days', 'weekday 1');
    INSERT INTO recording_week_rollup (week, activity_id, kind, n)
    SELECT date(substr(NEW.deletion_due, 1, 10), '-6 days', 'weekday 1'), NEW.activity_id, 'due', 1
    WHERE NEW.deletion_due <> '' AND NEW.on_hold = 0
    ON CONFLICT (week, activity_id, kind) DO UPDATE SET n = n + 1;
    INSERT INTO recording_week_rollup (week, activity_id, kind, n)
    SELECT date(substr(NEW.deleted_at, 1, 10), '-6 days', 'weekday 1'), NEW.activity_id, 'done', 1
    WHERE NEW.deleted_at <> ''
    ON CONFLICT (week, activity_id, kind) DO UPDATE SET n = n + 1;
END;

-- The statistics' overdue deletions per activity with the employees they
-- concern (R-RET-2): covering, so that counting them reads no table rows.
CREATE INDEX recordings_overdue_stats ON recordings(deletion_due, activity_id, employee_staff_id)
    WHERE deleted_at = '' AND deletion_due <> '' AND on_hold = 0;

-- Backfill from the uses already stored (the rebuild queries of
-- db/rollup.go).
INSERT INTO use_rollup_employees (activity_id, month, flag, purpose, unit, staff_id, n)
SELECT activity_id, month, flag, purpose, unit, staff_id, COUNT(*) FROM (
    SELECT u.seq, u.activity_id, substr(u.occurred_at, 1, 7) AS month, fl.flag, u.purpose, e.staff_id,
        COALESCE((SELECT h.unit FROM employee_history h WHERE h.staff_id = e.staff_id AND h.valid_from <= u.occurred_at
            ORDER BY h.valid_from DESC LIMIT 1), '') AS unit
    FROM uses u
    JOIN use_employees e ON e.use_seq = u.seq
    JOIN (SELECT use_seq, flag FROM use_flags UNION ALL SELECT seq, '' FROM uses) fl ON fl.use_seq = u.seq
) GROUP BY activity_id, month, flag, purpose, unit, staff_id;

UPDATE use_rollup SET employees = (SELECT COUNT(*) FROM use_rollup_employees e
    WHERE e.activity_id = use_rollup.activity_id AND e.month = use_rollup.month AND e.flag = use_rollup.flag
      AND e.purpose = use_rollup.purpose AND e.unit = use_rollup.unit);

INSERT INTO use_week_rollup (week, activity_id, flag, n)
SELECT date(substr(u.occurred_at, 1, 10), '-6 days', 'weekday 1'), u.activity_id, fl.flag, COUNT(*)
FROM uses u JOIN (SELECT use_seq, flag FROM use_flags UNION ALL SELECT seq, '' FROM uses) fl ON fl.use_seq = u.seq
GROUP BY 1, 2, 3;

INSERT INTO recording_week_rollup (week, activity_id, kind, n)
SELECT week, activity_id, kind, COUNT(*) FROM (
    SELECT date(substr(deletion_due, 1, 10), '-6 days', 'weekday 1') AS week, activity_id, 'due' AS kind
    FROM recordings WHERE deletion_due <> '' AND on_hold = 0
    UNION ALL
    SELECT date(substr(deleted_at, 1, 10), '-6 days', 'weekday 1'), activity_id, 'done'
    FROM recordings WHERE deleted_at <> ''
) GROUP BY week, activity_id, kind;
