-- A session's network policy: full, none or allowlist (its containers keep it on resume).
ALTER TABLE sessions ADD COLUMN network TEXT NOT NULL DEFAULT 'FULL';
