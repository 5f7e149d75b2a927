-- Terminal mode (interactive Claude Code in tmux) beside chat mode.
ALTER TABLE sessions ADD COLUMN mode TEXT NOT NULL DEFAULT 'CHAT';
