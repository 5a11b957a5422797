-- Issue "Performance": one index fewer on every recording entered by a use.
-- recordings_due_unheld (0007) indexes deletion_due over the recordings due,
-- not deleted and not on hold; recordings_overdue_stats (0009) has the same
-- condition and starts with the same column, so it answers every query the
-- first one did (db/plan_test.go).
DROP INDEX recordings_due_unheld;
