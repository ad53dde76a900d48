-- Target responsibility letters (目标责任书) and each recipient unit's copy.
CREATE TABLE letters (
    id             INTEGER PRIMARY KEY,
    issuer_unit_id INTEGER NOT NULL REFERENCES units(id),
    year           INTEGER NOT NULL,
    title          TEXT NOT NULL,
    duties         TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX letters_issuer ON letters(issuer_unit_id, year);

CREATE TABLE letter_copies (
    id        INTEGER PRIMARY KEY,
    letter_id INTEGER NOT NULL REFERENCES letters(id),
    unit_id   INTEGER NOT NULL REFERENCES units(id),
    status    TEXT NOT NULL,
    issued_on TEXT,
    signed_on TEXT,
    signer    TEXT NOT NULL DEFAULT '',
    UNIQUE (letter_id, unit_id)
);
CREATE INDEX letter_copies_unit ON letter_copies(unit_id);
