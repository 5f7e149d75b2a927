package dev.burrow.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Objects;

/** What each session's model gateway observed, summed per session. */
public final class ModelUsageStore {
    private final Database db;

    public ModelUsageStore(Database db) {
        this.db = Objects.requireNonNull(db);
    }

    /**
     * A session's totals as the gateway saw them.
     *
     * @param turnEnds answers that ended the model's turn (not a tool call)
     * @param unpriced answers from a model whose price Burrow does not know (not in {@code costUsd})
     */
    public record Totals(long requests, long turnEnds, long inputTokens, long outputTokens, long cacheReadTokens, long cacheCreationTokens,
                         double costUsd, long unpriced) {
        public static final Totals NONE = new Totals(0, 0, 0, 0, 0, 0, 0, 0);
    }

    /** Adds one answer; {@code costUsd} is NaN when its model's price is unknown. */
    public void add(String sessionId, boolean endsTurn, long input, long output, long cacheRead, long cacheCreation, double costUsd) {
        db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO model_usage (session_id, requests, turn_ends, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens,
                                             cost_usd, unpriced)
                    VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (session_id) DO UPDATE SET requests = requests + 1, turn_ends = turn_ends + excluded.turn_ends,
                        input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
                        cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
                        cache_creation_tokens = cache_creation_tokens + excluded.cache_creation_tokens,
                        cost_usd = cost_usd + excluded.cost_usd, unpriced = unpriced + excluded.unpriced""")) {
                ps.setString(1, sessionId);
                ps.setInt(2, endsTurn ? 1 : 0);
                ps.setLong(3, input);
                ps.setLong(4, output);
                ps.setLong(5, cacheRead);
                ps.setLong(6, cacheCreation);
                ps.setDouble(7, Double.isNaN(costUsd) ? 0 : costUsd);
                ps.setInt(8, Double.isNaN(costUsd) ? 1 : 0);
                ps.executeUpdate();
            }
            return null;
        });
    }

    private static final String COLUMNS = "requests, turn_ends, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd, unpriced";

    public Totals totals(String sessionId) {
        return db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM model_usage WHERE session_id = ?")) {
                ps.setString(1, sessionId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? row(rs, 1) : Totals.NONE;
                }
            }
        });
    }

    /** Every session's totals, by session id, in one query (the session list). */
    public java.util.Map<String, Totals> all() {
        return db.transaction(c -> {
            java.util.Map<String, Totals> out = new java.util.HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT session_id, " + COLUMNS + " FROM model_usage"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), row(rs, 2));
            }
            return out;
        });
    }

    private static Totals row(ResultSet rs, int first) throws java.sql.SQLException {
        return new Totals(rs.getLong(first), rs.getLong(first + 1), rs.getLong(first + 2), rs.getLong(first + 3), rs.getLong(first + 4),
                rs.getLong(first + 5), rs.getDouble(first + 6), rs.getLong(first + 7));
    }
}
