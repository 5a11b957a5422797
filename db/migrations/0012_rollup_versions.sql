-- Issue "Performance": a version per month of the statistics rollups
-- (use_rollup and use_rollup_employees). Every transaction that changes a
-- month's rows bumps that month's version in the same transaction (the use
-- writer once per group and month, the log retention job for the months it
-- takes uses out of: db/rollup.go), so that the statistics can keep a
-- month they have read and read it again only when its version moved
-- (db/statistics.go). A month without a row has no rollup rows.
CREATE TABLE use_rollup_versions (
    month   TEXT PRIMARY KEY,                     -- 'YYYY-MM'
    version INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO use_rollup_versions (month, version)
SELECT DISTINCT month, 1 FROM use_rollup;
