-- Conduct rules for cadres (十严禁 and the like), who acknowledged them, and violations.
CREATE TABLE conduct_rules (
    id           INTEGER PRIMARY KEY,
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    title        TEXT NOT NULL,
    items        TEXT NOT NULL,
    published_on TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX conduct_rules_unit ON conduct_rules(unit_id);

CREATE TABLE conduct_acks (
    rules_id  INTEGER NOT NULL REFERENCES conduct_rules(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    acked_on  TEXT NOT NULL,
    PRIMARY KEY (rules_id, person_id)
);

CREATE TABLE conduct_violations (
    id          INTEGER PRIMARY KEY,
    rules_id    INTEGER NOT NULL REFERENCES conduct_rules(id),
    person_id   INTEGER NOT NULL REFERENCES people(id),
    date        TEXT NOT NULL,
    description TEXT NOT NULL,
    outcome     TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
