package dev.burrow.workspace;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The few calls of the git host's REST API that Burrow makes itself, from the host, with the
 * token it holds: opening a pull request for a session's branch (Open PR). The API is
 * api.github.com for github.com, and /api/v3 on a GitHub Enterprise server.
 */
public final class GitHubApi {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final GitHost host;
    private final HttpClient http;

    public GitHubApi(GitHost host, HttpClient http) {
        this.host = Objects.requireNonNull(host);
        this.http = Objects.requireNonNull(http);
    }

    /** Where the REST API is: https://api.github.com, or the server's /api/v3. */
    public URI base() {
        return host.isGitHubCom() ? URI.create("https://api.github.com") : URI.create(host.base().toString().replaceAll("/+$", "") + "/api/v3");
    }

    /** The repository's default branch. */
    public String defaultBranch(String ownerRepo) throws IOException {
        JsonNode repo = call("GET", "/repos/" + ownerRepo, null, 200);
        String b = repo.path("default_branch").asString("");
        if (b.isEmpty()) throw new IOException(host.authority() + " named no default branch for " + ownerRepo);
        return b;
    }

    /** Opens a pull request of {@code head} into {@code base}; returns its web address. */
    public String openPullRequest(String ownerRepo, String head, String base, String title, String body) throws IOException {
        ObjectNode req = JSON.createObjectNode().put("title", title).put("head", head).put("base", base).put("body", body);
        JsonNode pr = call("POST", "/repos/" + ownerRepo + "/pulls", req.toString(), 201);
        String url = pr.path("html_url").asString("");
        if (url.isEmpty()) throw new IOException(host.authority() + " answered without the pull request's address");
        return url;
    }

    private JsonNode call(String method, String path, String json, int expected) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30))
                .header("Accept", "application/vnd.github+json").header("Authorization", "token " + host.token())
                .header("X-GitHub-Api-Version", "2022-11-28");
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) b.header("Content-Type", "application/json");
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (IOException e) {
            throw new IOException(base().getHost() + " cannot be reached: " + e.getMessage(), e);
        }
        JsonNode body;
        try {
            body = r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (JacksonException e) {
            body = JSON.createObjectNode();
        }
        if (r.statusCode() != expected) {
            String message = body.path("message").asString("");
            JsonNode first = body.path("errors").path(0);
            String detail = first.isMissingNode() ? "" : first.path("message").asString(first.toString());
            throw new IOException(host.authority() + " answered " + method + " " + path + " with HTTP " + r.statusCode()
                    + (message.isEmpty() ? "" : ": " + message) + (detail.isEmpty() ? "" : " (" + detail + ")"));
        }
        return body;
    }
}
