CREATE TABLE sessions (
    id                TEXT PRIMARY KEY,
    short_id          TEXT NOT NULL UNIQUE,
    state             TEXT NOT NULL,
    reason            TEXT,
    repo              TEXT NOT NULL,
    source            TEXT NOT NULL,
    base_branch       TEXT,
    base_commit       TEXT,
    branch            TEXT NOT NULL,
    dir               TEXT NOT NULL,
    claude_session_id TEXT,
    container_id      TEXT,
    cost_usd          REAL NOT NULL DEFAULT 0,
    out_offset        INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);

-- Every event of every session, in order. seq is per session, from 1, without gaps.
CREATE TABLE events (
    session_id TEXT NOT NULL REFERENCES sessions (id),
    seq        INTEGER NOT NULL,
    type       TEXT NOT NULL,
    json       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (session_id, seq)
);

CREATE TABLE turns (
    session_id     TEXT NOT NULL REFERENCES sessions (id),
    seq            INTEGER NOT NULL,
    subtype        TEXT NOT NULL,
    is_error       INTEGER NOT NULL,
    cost_usd       REAL NOT NULL,
    input_tokens   INTEGER NOT NULL,
    output_tokens  INTEGER NOT NULL,
    cache_read     INTEGER NOT NULL,
    cache_creation INTEGER NOT NULL,
    duration_ms    INTEGER NOT NULL,
    PRIMARY KEY (session_id, seq)
);

CREATE TABLE recent_repos (
    repo    TEXT PRIMARY KEY,
    used_at INTEGER NOT NULL
);
