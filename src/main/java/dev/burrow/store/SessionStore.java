package dev.burrow.store;

import dev.burrow.agent.AgentEvent;
import dev.burrow.agent.EventParser;
import dev.burrow.container.NetworkPolicy;
import dev.burrow.session.Session;
import dev.burrow.session.SessionMode;
import dev.burrow.session.SessionState;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/** Sessions and their event logs in the database. */
public final class SessionStore {
    private final Database db;
    private final ModelUsageStore usage;

    public SessionStore(Database db) {
        this.db = Objects.requireNonNull(db);
        this.usage = new ModelUsageStore(db);
    }

    /** What the sessions' model gateways observed. */
    public ModelUsageStore usage() {
        return usage;
    }

    public void insert(Session s) {
        db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO sessions (id, short_id, state, reason, repo, source, base_branch, base_commit, branch, dir,
                        claude_session_id, container_id, cost_usd, out_offset, created_at, updated_at, mode, gpu, network)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                ps.setString(1, s.id());
                ps.setString(2, s.shortId());
                ps.setString(3, s.state().name());
                ps.setString(4, s.reason());
                ps.setString(5, s.repo());
                ps.setString(6, s.source().toString());
                ps.setString(7, s.baseBranch());
                ps.setString(8, s.baseCommit());
                ps.setString(9, s.branch());
                ps.setString(10, s.dir().toString());
                ps.setString(11, s.claudeSessionId());
                ps.setString(12, s.containerId());
                ps.setDouble(13, s.costUsd());
                ps.setLong(14, s.outOffset());
                ps.setLong(15, s.createdAt().toEpochMilli());
                ps.setLong(16, s.updatedAt().toEpochMilli());
                ps.setString(17, s.mode().name());
                ps.setInt(18, s.gpu() ? 1 : 0);
                ps.setString(19, s.network().name());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO recent_repos (repo, used_at) VALUES (?, ?) ON CONFLICT (repo) DO UPDATE SET used_at = excluded.used_at")) {
                ps.setString(1, s.repo());
                ps.setLong(2, s.createdAt().toEpochMilli());
                ps.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Moves a session from one state to another, atomically: nothing happens (and the answer
     * is false) when it is no longer in {@code from}, so a stale copy never overwrites a newer
     * state. Whether the move is allowed at all is {@link SessionState}'s business, not the store's.
     */
    public boolean transition(String id, SessionState from, SessionState to, String reason) {
        return db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE sessions SET state = ?, reason = ?, updated_at = ? WHERE id = ? AND state = ?")) {
                ps.setString(1, to.name());
                ps.setString(2, reason);
                ps.setLong(3, Instant.now().toEpochMilli());
                ps.setString(4, id);
                ps.setString(5, from.name());
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Records the container a session runs in now (null: none). */
    public void setContainer(String id, String containerId) {
        set(id, "container_id", containerId);
    }

    /** Records the mode the session's next Claude Code runs in. */
    public void setMode(String id, SessionMode mode) {
        set(id, "mode", mode.name());
    }

    /** Records where the workspace came from once it is cloned, and the commit its branch starts at. */
    public void updateSource(String id, Path source, String baseCommit) {
        db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE sessions SET source = ?, base_commit = ?, updated_at = ? WHERE id = ?")) {
                ps.setString(1, source.toString());
                ps.setString(2, baseCommit);
                ps.setLong(3, Instant.now().toEpochMilli());
                ps.setString(4, id);
                ps.executeUpdate();
            }
            return null;
        });
    }

    // One column at a time, named by the code above, never by a caller's string.
    private void set(String id, String column, String value) {
        db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE sessions SET " + column + " = ?, updated_at = ? WHERE id = ?")) {
                ps.setString(1, value);
                ps.setLong(2, Instant.now().toEpochMilli());
                ps.setString(3, id);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Records the pull request opened from a session. */
    public void setPullRequest(String id, String url) {
        set(id, "pr_url", url);
    }

    /** The pull request opened from a session, if any. */
    public Optional<String> pullRequest(String id) {
        return db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT pr_url FROM sessions WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    public void delete(String id) {
        db.transaction(c -> {
            for (String sql : List.of("DELETE FROM turns WHERE session_id = ?", "DELETE FROM events WHERE session_id = ?",
                    "DELETE FROM model_usage WHERE session_id = ?",
                    "DELETE FROM sessions WHERE id = ?")) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, id);
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    public Optional<Session> find(String idOrShortId) {
        return db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM sessions WHERE id = ? OR short_id = ?")) {
                ps.setString(1, idOrShortId);
                ps.setString(2, idOrShortId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(session(rs)) : Optional.empty();
                }
            }
        });
    }

    public List<Session> list() {
        return db.transaction(c -> {
            List<Session> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM sessions WHERE state <> 'DELETED' ORDER BY created_at DESC");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(session(rs));
            }
            return out;
        });
    }

    public List<String> recentRepos(int limit) {
        return db.transaction(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT repo FROM recent_repos ORDER BY used_at DESC LIMIT ?")) {
                ps.setInt(1, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(rs.getString(1));
                }
            }
            return out;
        });
    }

    /**
     * Appends an event with the session's next sequence number, in the same transaction as
     * the new output offset (so that a restart neither repeats nor skips a line) and, for the
     * end of a turn, its cost and tokens.
     */
    public StoredEvent append(String sessionId, AgentEvent event, long newOutOffset) {
        Instant now = Instant.now();
        long seq = db.transaction(c -> {
            long next;
            try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE session_id = ?")) {
                ps.setString(1, sessionId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    next = rs.getLong(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO events (session_id, seq, type, json, created_at) VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, sessionId);
                ps.setLong(2, next);
                ps.setString(3, event.type());
                ps.setString(4, event.json());
                ps.setLong(5, now.toEpochMilli());
                ps.executeUpdate();
            }
            if (newOutOffset >= 0) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE sessions SET out_offset = ? WHERE id = ?")) {
                    ps.setLong(1, newOutOffset);
                    ps.setString(2, sessionId);
                    ps.executeUpdate();
                }
            }
            if (event instanceof AgentEvent.TurnResult t) recordTurn(c, sessionId, next, t);
            return next;
        });
        return new StoredEvent(sessionId, seq, event, now);
    }

    private static void recordTurn(Connection c, String sessionId, long seq, AgentEvent.TurnResult t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO turns (session_id, seq, subtype, is_error, cost_usd, input_tokens, output_tokens, cache_read,
                    cache_creation, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            ps.setString(1, sessionId);
            ps.setLong(2, seq);
            ps.setString(3, t.subtype());
            ps.setInt(4, t.isError() ? 1 : 0);
            ps.setDouble(5, t.costUsd());
            ps.setLong(6, t.tokens().input());
            ps.setLong(7, t.tokens().output());
            ps.setLong(8, t.tokens().cacheRead());
            ps.setLong(9, t.tokens().cacheCreation());
            ps.setLong(10, t.durationMs());
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE sessions SET cost_usd = cost_usd + ? WHERE id = ?")) {
            ps.setDouble(1, t.costUsd());
            ps.setString(2, sessionId);
            ps.executeUpdate();
        }
    }

    /** How many bytes (characters of JSON) of events the session has stored. */
    public long eventBytes(String sessionId) {
        return db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(SUM(LENGTH(json)), 0) FROM events WHERE session_id = ?")) {
                ps.setString(1, sessionId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** The sequence number of the session's last event, 0 when it has none. */
    public long lastSeq(String sessionId) {
        return db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(seq), 0) FROM events WHERE session_id = ?")) {
                ps.setString(1, sessionId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** The session's events after {@code afterSeq}, in order. */
    public List<StoredEvent> events(String sessionId, long afterSeq) {
        return events(sessionId, afterSeq, Integer.MAX_VALUE, Long.MAX_VALUE);
    }

    /**
     * A page of the session's events after {@code afterSeq}, in order: at most {@code maxCount}
     * of them, and no more once {@code maxChars} characters of JSON are read (at least one).
     */
    public List<StoredEvent> events(String sessionId, long afterSeq, int maxCount, long maxChars) {
        return page(sessionId, "seq > ? ORDER BY seq", afterSeq, maxCount, maxChars, (type, json) -> EventParser.parse(json));
    }

    /**
     * Like {@link #events(String, long, int, long)}, but each event is left unread
     * ({@link AgentEvent.Unread}): its stored JSON, to be passed on as it is.
     */
    public List<StoredEvent> unreadEvents(String sessionId, long afterSeq, int maxCount, long maxChars) {
        return page(sessionId, "seq > ? ORDER BY seq", afterSeq, maxCount, maxChars, EventParser::unread);
    }

    /**
     * The last events before {@code beforeSeq} (all of them when it is Long.MAX_VALUE), oldest
     * first, unread: at most {@code maxCount}, and no more once {@code maxChars} characters are
     * read (at least one). Whoever renders them reads one at a time, so no page's trees are all
     * in memory at once.
     */
    public List<StoredEvent> eventsBefore(String sessionId, long beforeSeq, int maxCount, long maxChars) {
        return page(sessionId, "seq < ? ORDER BY seq DESC", beforeSeq, maxCount, maxChars, EventParser::unread).reversed();
    }

    /** Events in the order {@code where} gives, until {@code maxCount} or {@code maxChars} characters of JSON. */
    private List<StoredEvent> page(String sessionId, String where, long seq, int maxCount, long maxChars,
                                   java.util.function.BiFunction<String, String, AgentEvent> read) {
        return db.transaction(c -> {
            List<StoredEvent> out = new ArrayList<>();
            long chars = 0;
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, type, json, created_at FROM events WHERE session_id = ? AND " + where + " LIMIT ?")) {
                ps.setString(1, sessionId);
                ps.setLong(2, seq);
                ps.setInt(3, maxCount);
                try (ResultSet rs = ps.executeQuery()) {
                    while (chars < maxChars && rs.next()) {
                        String json = rs.getString(3);
                        chars += json.length();
                        out.add(new StoredEvent(sessionId, rs.getLong(1), read.apply(rs.getString(2), json), Instant.ofEpochMilli(rs.getLong(4))));
                    }
                }
            }
            return out;
        });
    }

    /** What counting the session's turns needs of its log ({@link EventParser#turnMarker}), oldest first. */
    public List<AgentEvent> turnMarkers(String sessionId) {
        return db.transaction(c -> {
            List<AgentEvent> out = new ArrayList<>();
            // Resumes too (Burrow's notice; only those rows are read whole): each starts the count again.
            try (PreparedStatement ps = c.prepareStatement("SELECT type, CASE WHEN type IN ('burrow_hook', 'burrow_notice') THEN json ELSE '' END FROM events"
                    + " WHERE session_id = ? AND (type IN ('burrow_prompt', 'result', 'burrow_hook')"
                    + " OR type = 'burrow_notice' AND instr(json, '" + EventParser.RESUMED + "') > 0) ORDER BY seq")) {
                ps.setString(1, sessionId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(EventParser.turnMarker(rs.getString(1), rs.getString(2)));
                }
            }
            return out;
        });
    }

    /** The session's last event of {@code type}, read, if it has one. */
    public Optional<StoredEvent> lastOfType(String sessionId, String type) {
        return ofType(sessionId, type, "DESC");
    }

    /** Each session's first event of {@code type}, in one query (the session list's titles). */
    public java.util.Map<String, AgentEvent> firstOfTypeBySession(String type) {
        return db.transaction(c -> {
            java.util.Map<String, AgentEvent> out = new java.util.HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT e.session_id, e.json FROM events e JOIN (SELECT session_id, MIN(seq) AS seq FROM events"
                    + " WHERE type = ? GROUP BY session_id) f ON e.session_id = f.session_id AND e.seq = f.seq")) {
                ps.setString(1, type);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.put(rs.getString(1), EventParser.parse(rs.getString(2)));
                }
            }
            return out;
        });
    }

    /** The session's first event of {@code type}, read, if it has one. */
    public Optional<StoredEvent> firstOfType(String sessionId, String type) {
        return ofType(sessionId, type, "ASC");
    }

    private Optional<StoredEvent> ofType(String sessionId, String type, String order) {
        return db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT seq, json, created_at FROM events WHERE session_id = ? AND type = ? ORDER BY seq " + order + " LIMIT 1")) {
                ps.setString(1, sessionId);
                ps.setString(2, type);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return Optional.<StoredEvent>empty();
                    return Optional.of(new StoredEvent(sessionId, rs.getLong(1), EventParser.parse(rs.getString(2)), Instant.ofEpochMilli(rs.getLong(3))));
                }
            }
        });
    }

    /** Per-turn cost and tokens of a session, oldest first. */
    public List<TurnUsage> turns(String sessionId) {
        return db.transaction(c -> {
            List<TurnUsage> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT seq, subtype, is_error, cost_usd, input_tokens, output_tokens, duration_ms FROM turns WHERE session_id = ? ORDER BY seq")) {
                ps.setString(1, sessionId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new TurnUsage(rs.getLong(1), rs.getString(2), rs.getInt(3) != 0, rs.getDouble(4), rs.getLong(5), rs.getLong(6), rs.getLong(7)));
                    }
                }
            }
            return out;
        });
    }

    public record TurnUsage(long seq, String subtype, boolean isError, double costUsd, long inputTokens, long outputTokens, long durationMs) {
    }

    private static Session session(ResultSet rs) throws SQLException {
        return new Session(rs.getString("id"), rs.getString("short_id"),
                SessionState.valueOf(rs.getString("state").toUpperCase(Locale.ROOT)), rs.getString("reason"),
                SessionMode.valueOf(rs.getString("mode")), rs.getInt("gpu") != 0, NetworkPolicy.valueOf(rs.getString("network")),
                rs.getString("repo"), Path.of(rs.getString("source")), rs.getString("base_branch"), rs.getString("base_commit"),
                rs.getString("branch"), Path.of(rs.getString("dir")), rs.getString("claude_session_id"),
                rs.getString("container_id"), rs.getDouble("cost_usd"), rs.getLong("out_offset"),
                Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("updated_at")));
    }
}
