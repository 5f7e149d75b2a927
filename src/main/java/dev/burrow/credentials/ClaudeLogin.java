package dev.burrow.credentials;

import dev.burrow.config.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The host user's own Claude Code login (~/.claude/.credentials.json), with Burrow as the
 * one process that renews it. Refresh tokens are single-use: two holders renewing the same
 * one log each other out. So containers get neither token, only a placeholder
 * ({@link LoginToken#placeholderForContainer}) that their gateway swaps for the access token;
 * Burrow renews the login here, under Claude Code's own lock, writing the rotated tokens
 * back to the host file so the user's `claude` on the host keeps working too.
 */
public final class ClaudeLogin {
    /** Renewed when less than this is left. Claude Code itself treats five minutes left as expired. */
    public static final Duration RENEW_MARGIN = Duration.ofMinutes(10);
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final Path dir;
    private final URI tokenUrl;
    private final HttpClient http;
    private final Clock clock;
    private final ReentrantLock renewing = new ReentrantLock();

    public ClaudeLogin(Path dir, URI tokenUrl, HttpClient http, Clock clock) {
        this.dir = Objects.requireNonNull(dir);
        this.tokenUrl = Objects.requireNonNull(tokenUrl);
        this.http = Objects.requireNonNull(http);
        this.clock = Objects.requireNonNull(clock);
    }

    public Path dir() {
        return dir;
    }

    public Path file() {
        return dir.resolve(".credentials.json");
    }

    /** The login as the host file has it now; null when there is none. */
    public LoginToken read() {
        ObjectNode root = readRoot();
        return root == null ? null : LoginToken.from(root.path("claudeAiOauth"));
    }

    /**
     * A token to hand to a container: the stored one, renewed first when it has less than
     * {@link #RENEW_MARGIN} left. A renewal that fails while the old token is still valid
     * only costs a retry later; with nothing valid left it is an error saying what to do.
     */
    public LoginToken current() {
        LoginToken t = read();
        if (t == null) throw new LoginException("there is no Claude login in " + dir + "; run `claude` on this machine and log in with /login");
        if (!t.renewDue(clock.instant(), RENEW_MARGIN)) return t;
        try {
            return renew(false);
        } catch (LoginException e) {
            if (!t.expired(clock.instant())) return t;
            throw e;
        }
    }

    /**
     * Renews the login unless someone else just did: under the lock, the file is read again,
     * and a token that is no longer due (another process renewed it) is simply taken.
     */
    public LoginToken renew(boolean force) {
        renewing.lock();
        try (RefreshLock ignored = RefreshLock.take(dir, Duration.ofSeconds(40))) {
            LoginToken t = read();
            if (t == null) throw new LoginException("there is no Claude login in " + dir + "; run `claude` on this machine and log in with /login");
            if (!force && !t.renewDue(clock.instant(), RENEW_MARGIN)) return t;
            if (t.refreshToken().isBlank()) {
                throw new LoginException("the Claude login in " + dir + " has no refresh token; log in again with `claude` and /login");
            }
            LoginToken renewed = exchange(t);
            store(renewed);
            return renewed;
        } finally {
            renewing.unlock();
        }
    }

    private LoginToken exchange(LoginToken t) {
        ObjectNode body = JSON.createObjectNode()
                .put("grant_type", "refresh_token")
                .put("refresh_token", t.refreshToken())
                .put("client_id", t.clientIdOrDefault())
                .put("scope", String.join(" ", t.scopes()));
        HttpResponse<String> r;
        try {
            r = http.send(HttpRequest.newBuilder(tokenUrl).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json").header("User-Agent", "burrow")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new LoginException("cannot reach " + tokenUrl + " to renew the Claude login: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LoginException("interrupted while renewing the Claude login");
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(r.body());
        } catch (JacksonException e) {
            answer = JSON.createObjectNode();
        }
        if (r.statusCode() != 200) {
            String error = answer.path("error").asString("");
            if ("invalid_grant".equals(error)) {
                throw new LoginException("the Claude login in " + dir + " was refused when renewed (its refresh token is no longer valid);"
                        + " log in again with `claude` and /login");
            }
            throw new LoginException("renewing the Claude login failed: HTTP " + r.statusCode() + (error.isEmpty() ? "" : " " + error));
        }
        String access = answer.path("access_token").asString("");
        long expiresIn = answer.path("expires_in").asLong(0);
        if (access.isBlank() || expiresIn <= 0) throw new LoginException("renewing the Claude login failed: the answer had no token");
        List<String> scopes = answer.hasNonNull("scope")
                ? List.of(answer.path("scope").asString().split(" ")) : t.scopes();
        return new LoginToken(access, answer.path("refresh_token").asString(t.refreshToken()), clock.instant().plusSeconds(expiresIn),
                scopes, t.subscriptionType(), t.rateLimitTier(), t.clientId());
    }

    /** Writes the renewed token into the host file, keeping everything else in it; atomically, 0600. */
    private void store(LoginToken t) {
        ObjectNode root = readRoot();
        if (root == null) root = JSON.createObjectNode();
        JsonNode oauth = root.path("claudeAiOauth");
        ObjectNode o = oauth instanceof ObjectNode on ? on : root.putObject("claudeAiOauth");
        t.into(o, true);
        PrivateFiles.write(file(), root.toString());
    }

    private ObjectNode readRoot() {
        try {
            JsonNode n = JSON.readTree(Files.readString(file()));
            return n instanceof ObjectNode o ? o : null;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file(), e);
        } catch (JacksonException e) {
            throw new LoginException(file() + " is not valid JSON; log in again with `claude` and /login");
        }
    }

    /** For the doctor: what the login is, never the token. */
    public String describe() {
        LoginToken t = read();
        if (t == null) return "no login in " + dir;
        Instant now = clock.instant();
        String plan = t.subscriptionType().isEmpty() ? "" : t.subscriptionType() + " plan, ";
        String life = t.expiresAt().equals(Instant.MAX) ? "no expiry"
                : t.expired(now) ? "access token expired" : "access token valid for " + human(Duration.between(now, t.expiresAt()));
        return "the Claude login in " + dir + " (" + plan + life + (t.refreshToken().isBlank() ? ", cannot be renewed)" : ", Burrow renews it)");
    }

    private static String human(Duration d) {
        long m = d.toMinutes();
        return m >= 60 ? (m / 60) + " h " + (m % 60) + " min" : m + " min";
    }
}
