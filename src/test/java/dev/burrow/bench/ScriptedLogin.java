package dev.burrow.bench;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The login half of the scripted Anthropic stand-in: it issues Claude logins, accepts only
 * access tokens it issued and that have not expired, and renews them at its OAuth token
 * endpoint the way Anthropic does, with single-use refresh tokens: a refresh token used a
 * second time is refused with invalid_grant, which is how two renewing holders log each
 * other out.
 */
public final class ScriptedLogin {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    static final String TOKEN_PATH = "/v1/oauth/token";

    /** A login as Claude Code keeps it. */
    public record Issued(String accessToken, String refreshToken, Instant expiresAt) {
        /** The .credentials.json Claude Code writes after /login. */
        public String credentialsJson() {
            ObjectNode root = JSON.createObjectNode();
            ObjectNode o = root.putObject("claudeAiOauth");
            o.put("accessToken", accessToken).put("refreshToken", refreshToken).put("expiresAt", expiresAt.toEpochMilli());
            o.putArray("scopes").add("user:inference").add("user:profile").add("user:sessions:claude_code");
            o.put("subscriptionType", "max").put("rateLimitTier", "default_claude_max_20x");
            return root.toString();
        }
    }

    private final Map<String, Instant> accessTokens = new ConcurrentHashMap<>();
    private final Set<String> refreshTokens = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedDeque<Duration> lifetimes = new ConcurrentLinkedDeque<>();
    private final AtomicInteger renewals = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();

    /** A new login whose access token lives this long. */
    public Issued issue(Duration lifetime) {
        Issued i = new Issued("sk-ant-oat01-scripted-" + UUID.randomUUID(), "sk-ant-ort01-scripted-" + UUID.randomUUID(),
                Instant.now().plus(lifetime));
        accessTokens.put(i.accessToken(), i.expiresAt());
        refreshTokens.add(i.refreshToken());
        return i;
    }

    /** How long the access tokens of the next renewals live, in order; after them, eight hours. */
    public void nextLifetimes(Duration... d) {
        lifetimes.addAll(java.util.List.of(d));
    }

    /** Renewals granted. */
    public int renewals() {
        return renewals.get();
    }

    /** The access token the last renewal granted, or null. */
    public String lastRenewed() {
        return lastRenewed;
    }

    private volatile String lastRenewed;

    /** Renewals refused because the refresh token had been used already (or was never issued). */
    public int refusedRenewals() {
        return refused.get();
    }

    boolean accepts(String accessToken) {
        Instant expires = accessTokens.get(accessToken);
        return expires != null && Instant.now().isBefore(expires);
    }

    void renew(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        JsonNode req = JSON.readTree(body);
        String grant = req.path("grant_type").asString("");
        String token = req.path("refresh_token").asString("");
        if (!"refresh_token".equals(grant) || !refreshTokens.remove(token)) {
            refused.incrementAndGet();
            ObjectNode err = JSON.createObjectNode().put("error", "invalid_grant").put("error_description", "Invalid refresh token");
            ScriptedModel.send(ex, 400, "application/json", err.toString());
            return;
        }
        Duration life = lifetimes.pollFirst();
        Issued next = issue(life == null ? Duration.ofHours(8) : life);
        lastRenewed = next.accessToken();
        renewals.incrementAndGet();
        ObjectNode ok = JSON.createObjectNode().put("token_type", "Bearer").put("access_token", next.accessToken())
                .put("refresh_token", next.refreshToken()).put("expires_in", Duration.between(Instant.now(), next.expiresAt()).toSeconds())
                .put("scope", req.path("scope").asString("user:inference"));
        ScriptedModel.send(ex, 200, "application/json", ok.toString());
    }
}
