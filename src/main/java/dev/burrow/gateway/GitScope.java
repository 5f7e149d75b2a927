package dev.burrow.gateway;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a session's GitHub token may do, decided per request by the git gateway: git for the
 * session's own repository (pushes to its branch alone), the REST API for that repository
 * (reads, opening a pull request from its branch, commenting on its issues and pull requests),
 * and nothing else.
 *
 * @param ownerRepo the session's repository on the git host ("owner/repo"), or empty when it has none there
 * @param branch    the session's branch ("burrow/1a2b3c4d"), the one ref it may push
 * @param enterprise the git host is a GitHub Enterprise server (its API under /api/v3 on the same host), not github.com
 */
public record GitScope(String ownerRepo, String branch, boolean enterprise) {
    private static final Pattern GIT = Pattern.compile("/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\\.git)?/(info/refs|git-upload-pack|git-receive-pack)");
    private static final Pattern REPO_API = Pattern.compile("/repos/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)(/[A-Za-z0-9_./-]*)?");

    public GitScope {
        Objects.requireNonNull(ownerRepo);
        Objects.requireNonNull(branch);
    }

    /** What the gateway does with one request that carries the session's placeholder. */
    public sealed interface Verdict {
        /** Sent on with the real token. */
        record WithToken(boolean api) implements Verdict {
        }

        /** Sent on without any credential (a fetch of another, perhaps public, repository). */
        record Bare() implements Verdict {
        }

        /** A push to the session's repository: sent on with the token once its ref updates are checked. */
        record CheckPush() implements Verdict {
        }

        /** Opening a pull request: sent on with the token once its head is checked to be the session's branch. */
        record CheckPullRequest() implements Verdict {
        }

        /** Answered by Burrow: the status and the one line the client shows. */
        record Refused(int status, String message) implements Verdict {
        }
    }

    /**
     * The verdict for a request to {@code host} (as the container named it): {@code api} when it
     * is the API host (api.github.com) rather than the git host.
     */
    public Verdict judge(boolean apiHost, String method, String path, String query) {
        String m = method.toUpperCase(Locale.ROOT);
        if (!apiHost && enterprise && (path.startsWith("/api/v3/") || path.equals("/api/graphql"))) return judgeApi(m, path.substring(path.startsWith("/api/v3") ? 7 : 4));
        if (apiHost) return judgeApi(m, path);
        Matcher g = GIT.matcher(path);
        if (!g.matches()) return refused(403, "this session's GitHub token is only used for git and the API of " + repoOrNone() + ", not " + m + " " + path);
        boolean own = own(g.group(1), g.group(2));
        boolean push = g.group(3).equals("git-receive-pack") || g.group(3).equals("info/refs") && query != null && query.contains("service=git-receive-pack");
        if (push && !own) return refused(403, "this session pushes only to its own repository " + repoOrNone() + ", not " + g.group(1) + "/" + g.group(2));
        if (!own) return new Verdict.Bare();
        if (g.group(3).equals("git-receive-pack")) return m.equals("POST") ? new Verdict.CheckPush() : refused(405, "git-receive-pack takes POST");
        return new Verdict.WithToken(false);
    }

    private Verdict judgeApi(String m, String path) {
        if (path.equals("/graphql")) {
            return refused(403, "GraphQL is not available with this session's GitHub token (a query reaches every repository the token can read); "
                    + "gh pr create works here (through the REST API), and gh api repos/" + repoOrNone() + "/... for the rest");
        }
        Matcher r = REPO_API.matcher(path);
        if (!r.matches() || !own(r.group(1), r.group(2)) || path.contains("/../") || path.endsWith("/..")) {
            return refused(403, "this session's GitHub token is only sent with API calls for " + repoOrNone() + ", not " + m + " " + path);
        }
        String rest = r.group(3) == null ? "" : r.group(3);
        if (m.equals("GET") || m.equals("HEAD")) return new Verdict.WithToken(true);
        if (m.equals("POST") && rest.equals("/pulls")) return new Verdict.CheckPullRequest();
        if (m.equals("POST") && rest.matches("/(issues|pulls)/\\d+/comments")) return new Verdict.WithToken(true);
        return refused(403, "this session's GitHub token may read " + repoOrNone() + ", open pull requests from " + branch
                + " and comment, not " + m + " " + path);
    }

    /** The one ref this session may push. */
    public String ref() {
        return "refs/heads/" + branch;
    }

    /** Whether {@code head} (a pull request's, "branch" or "owner:branch") is the session's branch. */
    public boolean isOwnHead(String head) {
        if (head == null) return false;
        String owner = ownerRepo.contains("/") ? ownerRepo.substring(0, ownerRepo.indexOf('/')) : "";
        return head.equals(branch) || head.equalsIgnoreCase(owner + ":" + branch) && head.endsWith(":" + branch);
    }

    private boolean own(String owner, String repo) {
        return !ownerRepo.isEmpty() && (owner + "/" + repo).equalsIgnoreCase(ownerRepo);
    }

    private String repoOrNone() {
        return ownerRepo.isEmpty() ? "(none: the session's repository is not on the git host)" : ownerRepo;
    }

    private static Verdict refused(int status, String message) {
        return new Verdict.Refused(status, "burrow: " + message);
    }
}
