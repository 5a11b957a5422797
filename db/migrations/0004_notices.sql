-- Vaaka schema, version 4: notices to employees (R-NOT-*), their
-- recipients, and data subjects' access requests (R-DSR-1). Times are UTC
-- text and dates 'YYYY-MM-DD' as in 0001.

-- One notice per activity and version (1, 2, …); a newer one supersedes
-- the older ones (R-SEQ-2, R-NOT-4). What a notice says never changes once
-- issued: only its recipient count (later joiners) and superseded flag do.
CREATE TABLE notices (
    id               INTEGER PRIMARY KEY,
    activity_id      INTEGER NOT NULL REFERENCES activities(id),
    version          INTEGER NOT NULL,
    activity_version INTEGER NOT NULL,
    case_id          INTEGER NOT NULL REFERENCES cases(id),
    introduction_on  TEXT NOT NULL,
    purpose          TEXT NOT NULL,
    methods          TEXT NOT NULL,
    handled          TEXT NOT NULL DEFAULT '',
    plain_finnish    TEXT NOT NULL DEFAULT '',
    issued_at        TEXT NOT NULL,
    issued_by        TEXT NOT NULL,
    recipients       INTEGER NOT NULL DEFAULT 0,
    superseded       INTEGER NOT NULL DEFAULT 0,
    UNIQUE (activity_id, version)
);
CREATE TRIGGER notices_content_fixed BEFORE UPDATE OF id, activity_id, version, activity_version, case_id,
    introduction_on, purpose, methods, handled, plain_finnish, issued_at, issued_by ON notices
BEGIN SELECT RAISE(ABORT, 'notice content is fixed'); END;
CREATE TRIGGER notices_no_delete BEFORE DELETE ON notices BEGIN SELECT RAISE(ABORT, 'append-only'); END;

-- Each employee's copy: delivery, first read, acknowledgement, last
-- reminder. Name, e-mail and language as they were at delivery.
CREATE TABLE notice_recipients (
    notice_id       INTEGER NOT NULL REFERENCES notices(id),
    staff_id        TEXT NOT NULL,
    name            TEXT NOT NULL,
    email           TEXT NOT NULL DEFAULT '',
    language        TEXT NOT NULL,
    delivered_at    TEXT NOT NULL,
    read_at         TEXT NOT NULL DEFAULT '',
    acknowledged_at TEXT NOT NULL DEFAULT '',
    reminded_at     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (notice_id, staff_id)
) WITHOUT ROWID;
-- "My notices" and the employee_not_notified flag (R-NOT-1) by staff id.
CREATE INDEX notice_recipients_staff ON notice_recipients(staff_id, notice_id, delivered_at);
CREATE TRIGGER notice_recipients_no_delete BEFORE DELETE ON notice_recipients BEGIN SELECT RAISE(ABORT, 'append-only'); END;

-- Access requests of employees and callers (R-DSR-1).
CREATE TABLE access_requests (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,                 -- employee, caller
    staff_id         TEXT NOT NULL DEFAULT '',
    requester        TEXT NOT NULL DEFAULT '',
    description      TEXT NOT NULL DEFAULT '',
    received_on      TEXT NOT NULL,
    due_on           TEXT NOT NULL,
    extended_on      TEXT NOT NULL DEFAULT '',
    extension_reason TEXT NOT NULL DEFAULT '',
    delivered_on     TEXT NOT NULL DEFAULT '',
    delivered        TEXT NOT NULL DEFAULT '',
    created_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL
);
CREATE INDEX access_requests_due ON access_requests(due_on, id);
CREATE INDEX access_requests_open ON access_requests(due_on, id) WHERE delivered_on = '';
