package dev.burrow.store;

import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The devices that asked to be notified: one browser Web Push subscription each, by endpoint. */
public final class PushStore {
    /** The most devices kept; a device more is refused until one is revoked. */
    public static final int MAX_DEVICES = 32;

    /**
     * A stored subscription. {@code p256dh} and {@code auth} are the browser's keys as it gave
     * them (base64url); {@code device} is a name for the Settings list, made from its User-Agent.
     */
    public record Device(String id, String endpoint, String p256dh, String auth, String device, Instant createdAt, Instant lastPushAt) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private final Database db;

    public PushStore(Database db) {
        this.db = Objects.requireNonNull(db);
    }

    /**
     * Keeps a subscription; the same endpoint again (the device subscribed anew) replaces its
     * keys and keeps its id. Empty when {@link #MAX_DEVICES} others are kept already.
     */
    public Optional<Device> put(String endpoint, String p256dh, String auth, String device, Instant now) {
        return db.transaction(c -> {
            Optional<Device> existing = byEndpoint(c, endpoint);
            if (existing.isPresent()) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE push_subscriptions SET p256dh = ?, auth = ?, device = ? WHERE id = ?")) {
                    ps.setString(1, p256dh);
                    ps.setString(2, auth);
                    ps.setString(3, device);
                    ps.setString(4, existing.get().id());
                    ps.executeUpdate();
                }
                return byEndpoint(c, endpoint);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM push_subscriptions"); ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getInt(1) >= MAX_DEVICES) return Optional.empty();
            }
            byte[] id = new byte[8];
            RANDOM.nextBytes(id);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO push_subscriptions (id, endpoint, p256dh, auth, device, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, HexFormat.of().formatHex(id));
                ps.setString(2, endpoint);
                ps.setString(3, p256dh);
                ps.setString(4, auth);
                ps.setString(5, device);
                ps.setLong(6, now.toEpochMilli());
                ps.executeUpdate();
            }
            return byEndpoint(c, endpoint);
        });
    }

    public List<Device> all() {
        return db.transaction(c -> {
            List<Device> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(SELECT + " ORDER BY created_at"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(row(rs));
            }
            return out;
        });
    }

    /** Forgets one device; false when there was none by that id. */
    public boolean remove(String id) {
        return db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM push_subscriptions WHERE id = ?")) {
                ps.setString(1, id);
                return ps.executeUpdate() > 0;
            }
        });
    }

    /** A push reached the device's push service. */
    public void pushed(String id, Instant at) {
        db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE push_subscriptions SET last_push_at = ? WHERE id = ?")) {
                ps.setLong(1, at.toEpochMilli());
                ps.setString(2, id);
                ps.executeUpdate();
            }
            return null;
        });
    }

    private static final String SELECT = "SELECT id, endpoint, p256dh, auth, device, created_at, last_push_at FROM push_subscriptions";

    private static Optional<Device> byEndpoint(java.sql.Connection c, String endpoint) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE endpoint = ?")) {
            ps.setString(1, endpoint);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    private static Device row(ResultSet rs) throws SQLException {
        long last = rs.getLong(7);
        Instant lastPush = rs.wasNull() ? null : Instant.ofEpochMilli(last);
        return new Device(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), Instant.ofEpochMilli(rs.getLong(6)), lastPush);
    }
}
