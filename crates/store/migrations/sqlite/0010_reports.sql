-- Reports (工作报告): a draft holds the user's prose per section; figures stay live until the
-- report is finalised, when the whole assembled text and every figure with its evidence ids
-- are frozen here, so later changes to records never change a finalised report.
CREATE TABLE reports (
    id              INTEGER PRIMARY KEY,
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    kind            TEXT NOT NULL,
    year            INTEGER NOT NULL,
    period          INTEGER NOT NULL,
    title           TEXT NOT NULL,
    prose           TEXT NOT NULL DEFAULT '{}',
    state           TEXT NOT NULL DEFAULT 'draft',
    frozen          TEXT,
    finalised_at    TEXT,
    finalised_by    TEXT,
    override_reason TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX reports_unit ON reports(unit_id, year);

CREATE TABLE report_figures (
    id        INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id),
    position  INTEGER NOT NULL,
    fact_key  TEXT NOT NULL,
    unit_id   INTEGER NOT NULL REFERENCES units(id),
    date_from TEXT NOT NULL,
    date_until TEXT NOT NULL,
    value     DOUBLE PRECISION,
    evidence  TEXT NOT NULL
);
CREATE INDEX report_figures_report ON report_figures(report_id, position);
