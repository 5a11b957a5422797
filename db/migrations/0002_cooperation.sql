-- Vaaka schema, version 2: co-operation cases (SPEC "Co-operation case",
-- R-COOP-*). Times are UTC text as in 0001; lists that belong to one row
-- are JSON arrays.

-- When the activity last changed materially (R-SEQ-2): a conclusion of a
-- co-operation case counts for the activity only when it is later.
ALTER TABLE activities ADD COLUMN material_change_at TEXT NOT NULL DEFAULT '';

CREATE TABLE cases (
    id                 INTEGER PRIMARY KEY,
    title              TEXT NOT NULL,
    procedure          TEXT NOT NULL,
    proposed_procedure TEXT NOT NULL DEFAULT '',
    proposal_key       TEXT NOT NULL DEFAULT '',
    proposal           TEXT NOT NULL DEFAULT '{}',   -- JSON: lighter, to_verify, threshold (R-COOP-1)
    override_reason    TEXT NOT NULL DEFAULT '',
    override_detail    TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL,
    created_by         TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    concluded_at       TEXT NOT NULL DEFAULT '',
    conclusion         TEXT NOT NULL DEFAULT '',
    account            TEXT NOT NULL DEFAULT '',
    concluded_by       TEXT NOT NULL DEFAULT '',
    withdrawn_reason   TEXT NOT NULL DEFAULT '',
    withdrawn_by       TEXT NOT NULL DEFAULT '',
    withdrawn_at       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX cases_status ON cases(status, id);

CREATE TABLE case_activities (
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    activity_id INTEGER NOT NULL REFERENCES activities(id),
    position    INTEGER NOT NULL,
    PRIMARY KEY (case_id, activity_id)
) WITHOUT ROWID;
CREATE INDEX case_activities_activity ON case_activities(activity_id, case_id);

CREATE TABLE case_units (
    case_id  INTEGER NOT NULL REFERENCES cases(id),
    unit     TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (case_id, unit)
) WITHOUT ROWID;

-- The staff side's users who take part (their portal shows the case).
CREATE TABLE case_representatives (
    case_id  INTEGER NOT NULL REFERENCES cases(id),
    email    TEXT NOT NULL COLLATE NOCASE,
    position INTEGER NOT NULL,
    PRIMARY KEY (case_id, email)
) WITHOUT ROWID;
CREATE INDEX case_representatives_email ON case_representatives(email, case_id);

-- Staff groups of the staff side (R-COOP-3), replaced as a whole.
CREATE TABLE staff_groups (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER NOT NULL REFERENCES cases(id),
    position      INTEGER NOT NULL,
    name          TEXT NOT NULL,
    all_employees INTEGER NOT NULL DEFAULT 0,
    units         TEXT NOT NULL DEFAULT '[]'          -- JSON array
);
CREATE INDEX staff_groups_case ON staff_groups(case_id, position);

CREATE TABLE staff_group_representatives (
    group_id   INTEGER NOT NULL REFERENCES staff_groups(id) ON DELETE CASCADE,
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    position   INTEGER NOT NULL,
    email      TEXT NOT NULL COLLATE NOCASE,
    name       TEXT NOT NULL DEFAULT '',
    type       TEXT NOT NULL,
    term_start TEXT NOT NULL DEFAULT '',
    term_end   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (group_id, position)
);
CREATE INDEX staff_group_representatives_email ON staff_group_representatives(email, case_id);

-- Versions of the written information / proposal (R-COOP-2, R-COOP-6).
CREATE TABLE case_information (
    case_id                  INTEGER NOT NULL REFERENCES cases(id),
    version                  INTEGER NOT NULL,
    subject                  TEXT NOT NULL,
    purpose                  TEXT NOT NULL,
    methods                  TEXT NOT NULL,
    introduction_plan        TEXT NOT NULL DEFAULT '',
    groups_affected          TEXT NOT NULL DEFAULT '',
    information_given        TEXT NOT NULL DEFAULT '',
    first_meeting_at         TEXT NOT NULL,
    place                    TEXT NOT NULL DEFAULT '',
    delivered_at             TEXT NOT NULL DEFAULT '',
    recipients               TEXT NOT NULL DEFAULT '[]',   -- JSON array
    shorter_notice_agreement TEXT NOT NULL DEFAULT '',
    confidential             INTEGER NOT NULL DEFAULT 0,   -- R-COOP-11
    told_to                  TEXT NOT NULL DEFAULT '',
    told_at                  TEXT NOT NULL DEFAULT '',
    created_by               TEXT NOT NULL,
    created_at               TEXT NOT NULL,
    PRIMARY KEY (case_id, version)
);

-- Comments and questions, threaded by parent_id (0: none).
CREATE TABLE case_comments (
    id                  INTEGER PRIMARY KEY,
    case_id             INTEGER NOT NULL REFERENCES cases(id),
    parent_id           INTEGER NOT NULL DEFAULT 0,
    information_version INTEGER NOT NULL DEFAULT 0,
    by_email            TEXT NOT NULL,
    text                TEXT NOT NULL,
    at                  TEXT NOT NULL
);
CREATE INDEX case_comments_case ON case_comments(case_id, id);

-- Staff initiatives and written proposals with the employer's answer
-- (R-COOP-5, R-COOP-7).
CREATE TABLE case_initiatives (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    kind         TEXT NOT NULL,
    by_email     TEXT NOT NULL,
    text         TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    deferred     INTEGER NOT NULL DEFAULT 0,
    response     TEXT NOT NULL DEFAULT '',
    accepted     INTEGER,                              -- NULL until answered
    responded_at TEXT NOT NULL DEFAULT '',
    responded_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_initiatives_case ON case_initiatives(case_id, id);

CREATE TABLE case_meetings (
    id                INTEGER PRIMARY KEY,
    case_id           INTEGER NOT NULL REFERENCES cases(id),
    held_at           TEXT NOT NULL,
    place             TEXT NOT NULL DEFAULT '',
    participants      TEXT NOT NULL DEFAULT '[]',     -- JSON: email, name, side, attended
    agenda            TEXT NOT NULL DEFAULT '',
    minutes_requested INTEGER NOT NULL DEFAULT 0,      -- R-COOP-4
    confidential      INTEGER NOT NULL DEFAULT 0,      -- R-COOP-11
    told_to           TEXT NOT NULL DEFAULT '',
    told_at           TEXT NOT NULL DEFAULT '',
    created_by        TEXT NOT NULL,
    created_at        TEXT NOT NULL
);
CREATE INDEX case_meetings_case ON case_meetings(case_id, held_at);

-- Versions of a meeting's minutes (R-COOP-4, R-COOP-8).
CREATE TABLE case_minutes (
    meeting_id        INTEGER NOT NULL REFERENCES case_meetings(id),
    version           INTEGER NOT NULL,
    main_content      TEXT NOT NULL,
    outcome           TEXT NOT NULL DEFAULT '',
    employer_position TEXT NOT NULL DEFAULT '',
    staff_position    TEXT NOT NULL DEFAULT '',
    dissent           TEXT NOT NULL DEFAULT '[]',     -- JSON: by, text
    written_by        TEXT NOT NULL,
    written_at        TEXT NOT NULL,
    PRIMARY KEY (meeting_id, version)
);

-- One answer per participant per version of the minutes.
CREATE TABLE minutes_approvals (
    meeting_id INTEGER NOT NULL REFERENCES case_meetings(id),
    version    INTEGER NOT NULL,
    by_email   TEXT NOT NULL COLLATE NOCASE,
    side       TEXT NOT NULL,
    approve    INTEGER NOT NULL,
    comment    TEXT NOT NULL DEFAULT '',
    dissent    TEXT NOT NULL DEFAULT '',
    at         TEXT NOT NULL,
    UNIQUE (meeting_id, version, by_email)
);

-- The hearing of employers outside the Act (R-COOP-9).
CREATE TABLE hearings (
    case_id    INTEGER PRIMARY KEY REFERENCES cases(id),
    invited    TEXT NOT NULL,
    method     TEXT NOT NULL,
    invited_at TEXT NOT NULL,
    respond_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE hearing_views (
    id      INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    author  TEXT NOT NULL,                        -- who gave the view (free text)
    text    TEXT NOT NULL,
    at      TEXT NOT NULL
);
CREATE INDEX hearing_views_case ON hearing_views(case_id, id);
-- Answers to minutes are records: never changed or removed.
CREATE TRIGGER minutes_approvals_no_update BEFORE UPDATE ON minutes_approvals BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER minutes_approvals_no_delete BEFORE DELETE ON minutes_approvals BEGIN SELECT RAISE(ABORT, 'append-only'); END;
