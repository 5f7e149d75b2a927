-- The one user's password (Argon2id), a single row.
CREATE TABLE password (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    hash       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Browser logins. The cookie holds a random 256-bit id; only its SHA-256 is stored.
CREATE TABLE logins (
    id_hash      TEXT PRIMARY KEY,
    csrf_token   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    address      TEXT NOT NULL,
    user_agent   TEXT NOT NULL
);

-- Bearer tokens for scripts; only their SHA-256 is stored.
CREATE TABLE api_tokens (
    name         TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
);
