-- Issue "Performance": the dashboard counts the flagged uses of the first,
-- partial day of its 30-day window from the uses themselves (the whole days
-- come from use_flag_days). Keyed by occurred_at alone, that read every
-- such use's row for its flags: after midnight UTC the partial day is
-- almost a whole day, about 6 000 flagged uses at 10M, 20 ms. With the
-- flags in the index the count reads the index only; seq before them
-- keeps the newest flagged uses (occurred_at DESC, seq DESC) one range.
-- Same entries, a little wider.
DROP INDEX uses_flagged;
CREATE INDEX uses_flagged ON uses(occurred_at, seq, flags) WHERE flags <> 0;
