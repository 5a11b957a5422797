-- Vaaka schema, version 5: the e-mail outbox (issue "Notices and the
-- employee's own view"). A message is inserted in the same transaction as
-- the event that causes it (db/outbox.go queueMail) and a sender
-- (app/mail) delivers it with retries and back-off. Times are UTC text as
-- in 0001.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    language        TEXT NOT NULL,
    params          TEXT NOT NULL DEFAULT '{}',   -- JSON object of strings
    ref             TEXT NOT NULL DEFAULT '',     -- the cause; unique when set
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    sent_at         TEXT NOT NULL DEFAULT '',
    last_error      TEXT NOT NULL DEFAULT ''
);
-- Queueing the same cause twice (a daily job, a repeated reminder) is a
-- no-op.
CREATE UNIQUE INDEX outbox_ref ON outbox(ref) WHERE ref <> '';
-- The sender's query: unsent messages whose next attempt is due.
CREATE INDEX outbox_due ON outbox(next_attempt_at, id) WHERE sent_at = '';
CREATE INDEX outbox_unsent ON outbox(id) WHERE sent_at = '';
