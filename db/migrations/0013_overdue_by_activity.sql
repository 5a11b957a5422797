-- Issue "Performance": the overdue recordings are counted per activity.
-- The statistics (per activity: how many, and whether they concern at
-- least five employees) and the dashboard (their total) read each
-- activity's range of this index, the deadline passed; keyed by the
-- deadline first (recordings_overdue_stats of 0009), the same counts
-- needed a sort of every overdue recording: 14 ms for the 19 000 a day of
-- unconfirmed deletions leaves at 10M uses. Same entries, same cost per
-- recording entered.
DROP INDEX recordings_overdue_stats;
CREATE INDEX recordings_overdue ON recordings(activity_id, deletion_due, employee_staff_id)
    WHERE deleted_at = '' AND deletion_due <> '' AND on_hold = 0;
