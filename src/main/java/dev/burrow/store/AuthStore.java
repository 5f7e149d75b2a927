package dev.burrow.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The password hash, browser logins and API tokens. Only hashes of secrets are stored. */
public final class AuthStore {
    private final Database db;

    public record Login(String idHash, String csrfToken, Instant createdAt, Instant lastSeenAt, String address, String userAgent) {
    }

    public record Token(String name, Instant createdAt, Instant lastUsedAt) {
    }

    public AuthStore(Database db) {
        this.db = Objects.requireNonNull(db);
    }

    public Optional<String> passwordHash() {
        return db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT hash FROM password WHERE id = 1"); ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        });
    }

    /** Sets the password and, in the same transaction, ends every login made with the old one. */
    public void setPasswordHash(String hash) {
        db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO password (id, hash, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at")) {
                ps.setString(1, hash);
                ps.setLong(2, Instant.now().toEpochMilli());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM logins")) {
                ps.executeUpdate();
            }
            return null;
        });
    }

    public void insertLogin(Login l) {
        db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO logins (id_hash, csrf_token, created_at, last_seen_at, address, user_agent) VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, l.idHash());
                ps.setString(2, l.csrfToken());
                ps.setLong(3, l.createdAt().toEpochMilli());
                ps.setLong(4, l.lastSeenAt().toEpochMilli());
                ps.setString(5, l.address());
                ps.setString(6, l.userAgent());
                ps.executeUpdate();
            }
            return null;
        });
    }

    public Optional<Login> findLogin(String idHash) {
        return db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM logins WHERE id_hash = ?")) {
                ps.setString(1, idHash);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(login(rs)) : Optional.empty();
                }
            }
        });
    }

    public List<Login> logins() {
        return db.transaction(c -> {
            List<Login> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM logins ORDER BY last_seen_at DESC"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(login(rs));
            }
            return out;
        });
    }

    public void touchLogin(String idHash, Instant at) {
        update("UPDATE logins SET last_seen_at = ? WHERE id_hash = ?", at.toEpochMilli(), idHash);
    }

    public boolean deleteLogin(String idHash) {
        return update("DELETE FROM logins WHERE id_hash = ?", null, idHash) > 0;
    }

    public boolean insertToken(String name, String tokenHash) {
        return db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO api_tokens (name, token_hash, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING")) {
                ps.setString(1, name);
                ps.setString(2, tokenHash);
                ps.setLong(3, Instant.now().toEpochMilli());
                return ps.executeUpdate() > 0;
            }
        });
    }

    /** The name of the token with this hash, marking it used. */
    public Optional<String> useToken(String tokenHash) {
        return db.transaction(c -> {
            String name = null;
            try (PreparedStatement ps = c.prepareStatement("SELECT name FROM api_tokens WHERE token_hash = ?")) {
                ps.setString(1, tokenHash);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) name = rs.getString(1);
                }
            }
            if (name != null) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE api_tokens SET last_used_at = ? WHERE name = ?")) {
                    ps.setLong(1, Instant.now().toEpochMilli());
                    ps.setString(2, name);
                    ps.executeUpdate();
                }
            }
            return Optional.ofNullable(name);
        });
    }

    public List<Token> tokens() {
        return db.transaction(c -> {
            List<Token> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT name, created_at, last_used_at FROM api_tokens ORDER BY name");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long used = rs.getLong(3);
                    out.add(new Token(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), rs.wasNull() ? null : Instant.ofEpochMilli(used)));
                }
            }
            return out;
        });
    }

    public boolean deleteToken(String name) {
        return update("DELETE FROM api_tokens WHERE name = ?", null, name) > 0;
    }

    private int update(String sql, Long first, String key) {
        return db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                if (first != null) ps.setLong(i++, first);
                ps.setString(i, key);
                return ps.executeUpdate();
            }
        });
    }

    private static Login login(ResultSet rs) throws SQLException {
        return new Login(rs.getString("id_hash"), rs.getString("csrf_token"), Instant.ofEpochMilli(rs.getLong("created_at")),
                Instant.ofEpochMilli(rs.getLong("last_seen_at")), rs.getString("address"), rs.getString("user_agent"));
    }
}
