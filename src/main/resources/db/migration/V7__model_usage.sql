-- What each session's model gateway saw pass: usage the container cannot forge.
CREATE TABLE model_usage (
    session_id            TEXT PRIMARY KEY,
    requests              INTEGER NOT NULL DEFAULT 0,
    turn_ends             INTEGER NOT NULL DEFAULT 0,
    input_tokens          INTEGER NOT NULL DEFAULT 0,
    output_tokens         INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens     INTEGER NOT NULL DEFAULT 0,
    cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd              REAL    NOT NULL DEFAULT 0,
    unpriced              INTEGER NOT NULL DEFAULT 0
);
