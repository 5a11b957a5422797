-- Issue "Performance": the use writer counts the deletion weeks of the
-- recordings it enters (source 'use') itself, once per group and week
-- (db/rollup.go), instead of this trigger doing it once per recording.
-- The trigger goes on counting every recording entered any other way
-- (RegisterRecordings refuses source 'use'). A recording the use writer
-- enters is neither deleted nor on hold yet, so it counts only as 'due';
-- db.CheckRollups compares recording_week_rollup with its rebuild.
DROP TRIGGER recordings_week_insert;
CREATE TRIGGER recordings_week_insert AFTER INSERT ON recordings WHEN NEW.source <> 'use' BEGIN
    INSERT INTO recording_week_rollup (week, activity_id, kind, n)
    SELECT date(substr(NEW.deletion_due, 1, 10), '-6 days', 'weekday 1'), NEW.activity_id, 'due', 1
    WHERE NEW.deletion_due <> '' AND NEW.on_hold = 0
    ON CONFLICT (week, activity_id, kind) DO UPDATE SET n = n + 1;
    INSERT INTO recording_week_rollup (week, activity_id, kind, n)
    SELECT date(substr(NEW.deleted_at, 1, 10), '-6 days', 'weekday 1'), NEW.activity_id, 'done', 1
    WHERE NEW.deleted_at <> ''
    ON CONFLICT (week, activity_id, kind) DO UPDATE SET n = n + 1;
END;
