package dev.burrow.auth;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import dev.burrow.store.AuthStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Who may use Burrow: one user with one password (Argon2id), browser logins that expire when
 * idle and after an absolute lifetime, and named bearer tokens for scripts.
 */
public final class Authenticator {
    // Explicit parameters (OWASP's Argon2id minimum); password4j would otherwise look for a properties file.
    private static final Argon2Function ARGON2 = Argon2Function.getInstance(19456, 2, 1, 32, Argon2.ID);
    public static final Duration IDLE_EXPIRY = Duration.ofDays(7);
    public static final Duration ABSOLUTE_EXPIRY = Duration.ofDays(30);
    public static final int MIN_PASSWORD_LENGTH = 8;

    private final AuthStore store;
    private final Clock clock;

    /** A browser login just made: the cookie value (never stored) and its CSRF token. */
    public record NewLogin(String cookieValue, String csrfToken) {
    }

    public Authenticator(AuthStore store, Clock clock) {
        this.store = Objects.requireNonNull(store);
        this.clock = Objects.requireNonNull(clock);
    }

    public boolean passwordSet() {
        return store.passwordHash().isPresent();
    }

    public void setPassword(String password) {
        if (password == null || password.length() < MIN_PASSWORD_LENGTH) {
            throw new IllegalArgumentException("the password must have at least " + MIN_PASSWORD_LENGTH + " characters");
        }
        store.setPasswordHash(Password.hash(password).addRandomSalt(16).with(ARGON2).getResult());
    }

    public boolean checkPassword(String password) {
        Optional<String> hash = store.passwordHash();
        if (hash.isEmpty() || password == null) return false;
        return Password.check(password, hash.get()).with(ARGON2);
    }

    public NewLogin login(String address, String userAgent) {
        String id = Secrets.random256();
        String csrf = Secrets.random256();
        Instant now = clock.instant();
        store.insertLogin(new AuthStore.Login(Secrets.sha256(id), csrf, now, now, address, userAgent == null ? "" : userAgent));
        return new NewLogin(id, csrf);
    }

    /** The login behind a cookie value, if it exists and has not expired; refreshes its idle timer. */
    public Optional<AuthStore.Login> session(String cookieValue) {
        if (cookieValue == null || cookieValue.isBlank()) return Optional.empty();
        String hash = Secrets.sha256(cookieValue);
        Optional<AuthStore.Login> login = store.findLogin(hash);
        if (login.isEmpty()) return Optional.empty();
        Instant now = clock.instant();
        AuthStore.Login l = login.get();
        if (now.isAfter(l.lastSeenAt().plus(IDLE_EXPIRY)) || now.isAfter(l.createdAt().plus(ABSOLUTE_EXPIRY))) {
            store.deleteLogin(hash);
            return Optional.empty();
        }
        // Writing on every request would make each page view a database write; once a minute is enough.
        if (now.isAfter(l.lastSeenAt().plusSeconds(60))) store.touchLogin(hash, now);
        return login;
    }

    public boolean csrfMatches(AuthStore.Login login, String token) {
        return Secrets.constantTimeEquals(login.csrfToken(), token);
    }

    public void logout(String cookieValue) {
        if (cookieValue != null) store.deleteLogin(Secrets.sha256(cookieValue));
    }

    public List<AuthStore.Login> logins() {
        return store.logins();
    }

    public boolean revokeLogin(String idHash) {
        return store.deleteLogin(idHash);
    }

    /** A new bearer token for scripts, returned once; only its hash is kept. */
    public String createToken(String name) {
        if (name == null || !name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("a token name is 1 to 64 letters, digits, '.', '_' or '-'");
        }
        String token = "burrow_" + Secrets.random256();
        if (!store.insertToken(name, Secrets.sha256(token))) {
            throw new IllegalArgumentException("a token named " + name + " exists; revoke it first or pick another name");
        }
        return token;
    }

    /** The name of the bearer token, if it is one of ours. */
    public Optional<String> token(String bearer) {
        if (bearer == null || bearer.isBlank()) return Optional.empty();
        if (isLocalToken(bearer)) return Optional.of(LOCAL_TOKEN_NAME);
        return store.useToken(Secrets.sha256(bearer.strip()));
    }

    /** The bearer is this process's own token ({@link #localToken}). */
    public boolean isLocalToken(String bearer) {
        return bearer != null && java.security.MessageDigest.isEqual(bearer.strip().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                localToken.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Who the process-local token is, where a token's name is shown. */
    public static final String LOCAL_TOKEN_NAME = "burrow run on this machine";

    // Made per process, never stored: `serve` leaves it, for `./burrow run`, in a file only the user reads (LocalServe).
    private final String localToken = Secrets.random256();

    /** This process's own bearer token: valid while it runs, never written to the database. */
    public String localToken() {
        return localToken;
    }

    public List<AuthStore.Token> tokens() {
        return store.tokens();
    }

    public boolean revokeToken(String name) {
        return store.deleteToken(name);
    }
}
