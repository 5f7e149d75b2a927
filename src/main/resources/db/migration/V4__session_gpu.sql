-- Whether a session's containers get the host's GPU (a per-session switch).
ALTER TABLE sessions ADD COLUMN gpu INTEGER NOT NULL DEFAULT 0;
