-- 考核、督查、整改: indicator systems per supervising unit and year, rounds with their cached
-- fact values and manual scores (frozen on close), inspections with findings, and
-- rectification items with every step kept.
CREATE TABLE indicator_systems (
    id         INTEGER PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    year       INTEGER NOT NULL,
    title      TEXT NOT NULL,
    source     TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (unit_id, year)
);

CREATE TABLE assessment_rounds (
    id            INTEGER PRIMARY KEY,
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    year          INTEGER NOT NULL,
    period        TEXT NOT NULL,
    title         TEXT NOT NULL,
    state         TEXT NOT NULL,
    system_source TEXT NOT NULL,
    grades_source TEXT NOT NULL,
    computed_at   TEXT,
    closed_at     TEXT,
    created_at    TEXT NOT NULL,
    UNIQUE (unit_id, year, period)
);

CREATE TABLE assessment_facts (
    round_id INTEGER NOT NULL REFERENCES assessment_rounds(id),
    unit_id  INTEGER NOT NULL REFERENCES units(id),
    code     TEXT NOT NULL,
    value    REAL,
    evidence TEXT NOT NULL,
    PRIMARY KEY (round_id, unit_id, code)
);

CREATE TABLE assessment_manual (
    round_id   INTEGER NOT NULL REFERENCES assessment_rounds(id),
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    code       TEXT NOT NULL,
    score      REAL NOT NULL,
    reason     TEXT NOT NULL,
    inspector  TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (round_id, unit_id, code)
);

CREATE TABLE inspections (
    id             INTEGER PRIMARY KEY,
    unit_id        INTEGER NOT NULL REFERENCES units(id),
    target_unit_id INTEGER NOT NULL REFERENCES units(id),
    kind           TEXT NOT NULL,
    planned_on     TEXT NOT NULL,
    subject        TEXT NOT NULL,
    visited_on     TEXT,
    record         TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL
);
CREATE INDEX inspections_target ON inspections(target_unit_id, visited_on);

CREATE TABLE inspection_findings (
    id            INTEGER PRIMARY KEY,
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    category      TEXT NOT NULL,
    severity      TEXT NOT NULL,
    description   TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX inspection_findings_inspection ON inspection_findings(inspection_id);

CREATE TABLE rectifications (
    id                INTEGER PRIMARY KEY,
    issuer_unit_id    INTEGER NOT NULL REFERENCES units(id),
    owner_unit_id     INTEGER NOT NULL REFERENCES units(id),
    source_kind       TEXT NOT NULL,
    source_id         INTEGER NOT NULL,
    title             TEXT NOT NULL,
    measures          TEXT NOT NULL,
    deadline          TEXT NOT NULL,
    required_evidence TEXT NOT NULL,
    state             TEXT NOT NULL,
    opened_on         TEXT NOT NULL,
    closed_on         TEXT,
    created_at        TEXT NOT NULL
);
CREATE INDEX rectifications_owner ON rectifications(owner_unit_id, state);
CREATE INDEX rectifications_source ON rectifications(source_kind, source_id);

CREATE TABLE rectification_events (
    id               INTEGER PRIMARY KEY,
    rectification_id INTEGER NOT NULL REFERENCES rectifications(id),
    at               TEXT NOT NULL,
    actor_name       TEXT NOT NULL,
    step             TEXT NOT NULL,
    from_state       TEXT NOT NULL,
    to_state         TEXT NOT NULL,
    note             TEXT NOT NULL
);
CREATE INDEX rectification_events_item ON rectification_events(rectification_id);
