-- Who holds which ideological-work duty in a unit, from when to when (NULL: still holds it).
CREATE TABLE duties (
    id         INTEGER PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    person_id  INTEGER NOT NULL REFERENCES people(id),
    role       TEXT NOT NULL,
    portfolio  TEXT NOT NULL DEFAULT '',
    duties     TEXT NOT NULL DEFAULT '',
    start_date TEXT NOT NULL,
    end_date   TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX duties_unit ON duties(unit_id, role);
