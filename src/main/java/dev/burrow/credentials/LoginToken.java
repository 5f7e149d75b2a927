package dev.burrow.credentials;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The "claudeAiOauth" part of a Claude Code .credentials.json: an access token and what
 * renews it. {@link #toString()} never shows either token.
 *
 * @param clientId empty: Claude Code's own client
 */
public record LoginToken(String accessToken, String refreshToken, Instant expiresAt, List<String> scopes,
                         String subscriptionType, String rateLimitTier, String clientId) {
    static final String CLAUDE_CODE_CLIENT_ID = "9d1c250a-e61b-44d9-88ed-5944d1962f5e";

    public LoginToken {
        Objects.requireNonNull(accessToken);
        refreshToken = refreshToken == null ? "" : refreshToken;
        Objects.requireNonNull(expiresAt);
        scopes = List.copyOf(scopes);
        subscriptionType = subscriptionType == null ? "" : subscriptionType;
        rateLimitTier = rateLimitTier == null ? "" : rateLimitTier;
        clientId = clientId == null ? "" : clientId;
    }

    /** Reads the claudeAiOauth object; null when it has no access token. */
    static LoginToken from(JsonNode oauth) {
        String access = oauth.path("accessToken").asString("");
        if (access.isBlank()) return null;
        List<String> scopes = new ArrayList<>();
        for (JsonNode s : oauth.path("scopes")) scopes.add(s.asString());
        long expires = oauth.path("expiresAt").asLong(0);
        return new LoginToken(access, oauth.path("refreshToken").asString(""),
                expires <= 0 ? Instant.MAX : Instant.ofEpochMilli(expires), scopes,
                oauth.path("subscriptionType").asString(""), oauth.path("rateLimitTier").asString(""), oauth.path("clientId").asString(""));
    }

    /** Writes these fields into a claudeAiOauth object, keeping the ones Burrow does not know. */
    void into(ObjectNode oauth, boolean withRefreshToken) {
        oauth.put("accessToken", accessToken);
        if (withRefreshToken) oauth.put("refreshToken", refreshToken);
        else oauth.remove("refreshToken");
        if (!expiresAt.equals(Instant.MAX)) oauth.put("expiresAt", expiresAt.toEpochMilli());
        oauth.set("scopes", JsonNodeFactory.instance.arrayNode().addAll(scopes.stream().map(JsonNodeFactory.instance::stringNode).toList()));
        if (!subscriptionType.isEmpty()) oauth.put("subscriptionType", subscriptionType);
        if (!rateLimitTier.isEmpty()) oauth.put("rateLimitTier", rateLimitTier);
    }

    /**
     * What a session's container gets instead: a .credentials.json whose access token is the
     * session's placeholder, with no refresh token and an expiry a year away, so that Claude
     * Code inside never tries to renew it; it keeps the scopes and subscription, which Claude
     * Code reads. The session's model gateway puts the real token on each request.
     */
    public String placeholderForContainer(String placeholder) {
        LoginToken stand = new LoginToken(placeholder, "", Instant.now().plus(Duration.ofDays(365)), scopes, subscriptionType, rateLimitTier, clientId);
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        stand.into(root.putObject("claudeAiOauth"), false);
        return root.toString();
    }

    String clientIdOrDefault() {
        return clientId.isEmpty() ? CLAUDE_CODE_CLIENT_ID : clientId;
    }

    /** Whether less than {@code margin} of its life is left at {@code now}. */
    boolean renewDue(Instant now, Duration margin) {
        return !expiresAt.equals(Instant.MAX) && !now.plus(margin).isBefore(expiresAt);
    }

    boolean expired(Instant now) {
        return !now.isBefore(expiresAt);
    }

    @Override
    public String toString() {
        return "LoginToken[expiresAt=" + expiresAt + ", scopes=" + scopes + ", subscriptionType=" + subscriptionType + "]";
    }
}
