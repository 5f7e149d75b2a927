-- The pull request opened from a session, shown on it.
ALTER TABLE sessions ADD COLUMN pr_url TEXT;
