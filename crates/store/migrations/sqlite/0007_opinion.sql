-- 舆情: sources, posts, monitoring schemes, events, alerts, notifications, incidents with
-- steps and checklists, contingency plans, risk points and grievances.
CREATE TABLE opinion_sources (
    id         INTEGER PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    name       TEXT NOT NULL UNIQUE,
    platform   TEXT NOT NULL DEFAULT '',
    token_hash TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE opinion_schemes (
    id           INTEGER PRIMARY KEY,
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    name         TEXT NOT NULL,
    rule         TEXT NOT NULL,
    topic_weight REAL NOT NULL,
    active       INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX opinion_schemes_unit ON opinion_schemes(unit_id);

CREATE TABLE opinion_settings (
    unit_id     INTEGER PRIMARY KEY REFERENCES units(id),
    alert_level TEXT NOT NULL,
    webhook_url TEXT NOT NULL DEFAULT ''
);

CREATE TABLE opinion_events (
    id            INTEGER PRIMARY KEY,
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    scheme_id     INTEGER NOT NULL REFERENCES opinion_schemes(id),
    headline      TEXT NOT NULL,
    first_seen    TEXT NOT NULL,
    last_seen     TEXT NOT NULL,
    volume        INTEGER NOT NULL,
    growth        INTEGER NOT NULL,
    negative_hits INTEGER NOT NULL,
    platforms     TEXT NOT NULL,
    representative_post_id INTEGER,
    level         TEXT NOT NULL,
    score         REAL NOT NULL,
    alerted       INTEGER NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX opinion_events_unit ON opinion_events(unit_id, last_seen);

CREATE TABLE opinion_posts (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER NOT NULL REFERENCES opinion_sources(id),
    dedup_key    TEXT NOT NULL UNIQUE,
    platform     TEXT NOT NULL,
    url          TEXT NOT NULL,
    author       TEXT,
    published_at TEXT NOT NULL,
    title        TEXT,
    body         TEXT NOT NULL,
    event_id     INTEGER REFERENCES opinion_events(id),
    created_at   TEXT NOT NULL
);
CREATE INDEX opinion_posts_event ON opinion_posts(event_id, published_at);

CREATE TABLE opinion_alerts (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    event_id    INTEGER NOT NULL REFERENCES opinion_events(id),
    level       TEXT NOT NULL,
    incident_id INTEGER,
    created_at  TEXT NOT NULL
);
CREATE INDEX opinion_alerts_unit ON opinion_alerts(unit_id, created_at);

CREATE TABLE opinion_notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    alert_id   INTEGER NOT NULL REFERENCES opinion_alerts(id),
    read_at    TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX opinion_notifications_user ON opinion_notifications(user_id, read_at);

CREATE TABLE opinion_risks (
    id                   INTEGER PRIMARY KEY,
    unit_id              INTEGER NOT NULL REFERENCES units(id),
    title                TEXT NOT NULL,
    level                TEXT NOT NULL,
    owner                TEXT NOT NULL,
    measures             TEXT NOT NULL,
    keywords             TEXT NOT NULL,
    review_interval_days INTEGER NOT NULL,
    next_review          TEXT NOT NULL,
    status               TEXT NOT NULL,
    created_at           TEXT NOT NULL
);
CREATE INDEX opinion_risks_unit ON opinion_risks(unit_id);

CREATE TABLE opinion_incidents (
    id                 INTEGER PRIMARY KEY,
    unit_id            INTEGER NOT NULL REFERENCES units(id),
    title              TEXT NOT NULL,
    summary            TEXT NOT NULL,
    level              TEXT NOT NULL,
    stage              TEXT NOT NULL,
    discovered_at      TEXT NOT NULL,
    first_response_due TEXT NOT NULL,
    conclusion_due     TEXT NOT NULL,
    responded_at       TEXT,
    concluded_at       TEXT,
    alert_id           INTEGER REFERENCES opinion_alerts(id),
    event_id           INTEGER REFERENCES opinion_events(id),
    risk_id            INTEGER REFERENCES opinion_risks(id),
    created_at         TEXT NOT NULL
);
CREATE INDEX opinion_incidents_unit ON opinion_incidents(unit_id, discovered_at);

CREATE TABLE opinion_steps (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES opinion_incidents(id),
    stage       TEXT NOT NULL,
    at          TEXT NOT NULL,
    assignee    TEXT NOT NULL,
    note        TEXT NOT NULL,
    actor_name  TEXT NOT NULL
);
CREATE INDEX opinion_steps_incident ON opinion_steps(incident_id);

CREATE TABLE opinion_checklist (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES opinion_incidents(id),
    position    INTEGER NOT NULL,
    text        TEXT NOT NULL,
    done        INTEGER NOT NULL
);
CREATE INDEX opinion_checklist_incident ON opinion_checklist(incident_id);

CREATE TABLE opinion_plans (
    id         INTEGER PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    topic      TEXT NOT NULL,
    items      TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE opinion_grievances (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    risk_id     INTEGER REFERENCES opinion_risks(id),
    received_on TEXT NOT NULL,
    channel     TEXT NOT NULL,
    content     TEXT NOT NULL,
    resolved    INTEGER NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX opinion_grievances_unit ON opinion_grievances(unit_id, received_on);
