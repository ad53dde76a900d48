-- 年度工作实施方案: plan items, their tasks for units below, and progress updates.
CREATE TABLE plan_items (
    id                  INTEGER PRIMARY KEY,
    unit_id             INTEGER NOT NULL REFERENCES units(id),
    year                INTEGER NOT NULL,
    title               TEXT NOT NULL,
    lead_person_id      INTEGER REFERENCES people(id),
    responsible_unit_id INTEGER NOT NULL REFERENCES units(id),
    deadline            TEXT NOT NULL,
    expected_output     TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL
);
CREATE INDEX plan_items_unit ON plan_items(unit_id, year);

CREATE TABLE tasks (
    id           INTEGER PRIMARY KEY,
    plan_item_id INTEGER NOT NULL REFERENCES plan_items(id),
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    title        TEXT NOT NULL,
    deadline     TEXT NOT NULL,
    done_on      TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX tasks_unit ON tasks(unit_id, deadline);
CREATE INDEX tasks_item ON tasks(plan_item_id);

CREATE TABLE task_updates (
    id         INTEGER PRIMARY KEY,
    task_id    INTEGER NOT NULL REFERENCES tasks(id),
    date       TEXT NOT NULL,
    note       TEXT NOT NULL,
    done       INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX task_updates_task ON task_updates(task_id);
