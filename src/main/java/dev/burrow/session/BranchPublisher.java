package dev.burrow.session;

import dev.burrow.agent.AgentEvent;
import dev.burrow.agent.EventParser;
import dev.burrow.session.SessionException.Kind;
import dev.burrow.store.SessionStore;
import dev.burrow.store.StoredEvent;
import dev.burrow.workspace.GitHost;
import dev.burrow.workspace.GitHubApi;
import dev.burrow.workspace.Source;
import dev.burrow.workspace.WorkspaceException;
import dev.burrow.workspace.Workspaces;
import java.util.Objects;
import java.util.Optional;

/**
 * Takes a session's branch to the git host: Push branch (from the host, with the host's token
 * through git's credential helper) and Open PR (the git host's REST API, from the host, with
 * the same token; the container never holds it). The pull request's link stays on the session.
 */
public final class BranchPublisher {
    /** @param remote where the branch went */
    public record Pushed(String branch, String remote) {
    }

    private final SessionQueries sessions;
    private final SessionStore store;
    private final Workspaces workspaces;
    private final SessionRecorder log;
    private final WorkSaver saver;
    private final GitHubApi api;

    BranchPublisher(SessionQueries sessions, SessionStore store, Workspaces workspaces, SessionRecorder log, WorkSaver saver,
                    GitHubApi api) {
        this.api = Objects.requireNonNull(api);
        this.sessions = Objects.requireNonNull(sessions);
        this.store = Objects.requireNonNull(store);
        this.workspaces = Objects.requireNonNull(workspaces);
        this.log = Objects.requireNonNull(log);
        this.saver = Objects.requireNonNull(saver);
    }

    /** Whether the actions are offered at all: there is a token for a git host. */
    public boolean available() {
        return host().hasToken();
    }

    public GitHost host() {
        return workspaces.credentials().host();
    }

    public Optional<String> pullRequest(String id) {
        return store.pullRequest(sessions.get(id).id());
    }

    /** Pushes the session's branch, as its last turn left it, to its repository's remote. */
    public Pushed push(String id) {
        Session s = sessions.get(id);
        requireToken();
        return push(s, remote(s));
    }

    private Pushed push(Session s, String remote) {
        if (s.state() == SessionState.CREATING || s.baseCommit() == null) {
            throw new SessionException(Kind.CONFLICT, "the session is still being created; push once its first turn has started");
        }
        // The branch as the last turn left it; no turn's save can move it while it is pushed.
        saver.serialized(s.id(), () -> {
            saver.save(s);
            try {
                workspaces.push(s.source(), s.branch(), remote);
            } catch (WorkspaceException e) {
                throw new SessionException(Kind.UNAVAILABLE, e.getMessage());
            }
            return null;
        });
        log.append(s.id(), EventParser.notice("info", "pushed " + s.branch() + " to " + remote), -1);
        return new Pushed(s.branch(), remote);
    }

    /**
     * Pushes the branch, then opens a pull request for it through the git host's REST API (into
     * the session's base branch, else the repository's default); returns its URL. {@code title} and {@code body} may be blank: the first prompt
     * and a line naming the session stand in.
     */
    public String openPullRequest(String id, String title, String body) {
        Session s = sessions.get(id);
        requireToken();
        String remote = remote(s);
        String ownerRepo = host().ownerRepo(remote).orElseThrow(() -> new SessionException(Kind.CONFLICT,
                "the session's repository (" + remote + ") is not on " + host().authority() + "; push the branch and open the pull request there"));
        push(s, remote);
        String url;
        try {
            String base = s.baseBranch() != null ? s.baseBranch() : api.defaultBranch(ownerRepo);
            url = api.openPullRequest(ownerRepo, s.branch(), base, title == null || title.isBlank() ? defaultTitle(s) : title.strip(),
                    body == null || body.isBlank() ? "Made with Claude Code in Burrow session " + s.shortId() + "." : body);
        } catch (java.io.IOException e) {
            throw new SessionException(Kind.UNAVAILABLE, "the pull request could not be opened: " + e.getMessage());
        }
        store.setPullRequest(s.id(), url);
        log.append(s.id(), EventParser.notice("info", "opened pull request " + url), -1);
        return url;
    }

    private void requireToken() {
        if (!available()) {
            throw new SessionException(Kind.CONFLICT, "no GitHub token: set BURROW_GITHUB_TOKEN (environment or burrow.properties) and restart Burrow");
        }
    }

    /** The remote a session's branch goes to: the URL it was cloned from, else its repository's origin. */
    private String remote(Session s) {
        return remoteOf(workspaces, s).orElseThrow(() -> new SessionException(Kind.CONFLICT,
                "the repository " + s.repo() + " has no origin remote to push to; add one with git remote add origin URL"));
    }

    /** The remote a session's branch goes to, if it has one: the URL it was cloned from, else its repository's origin. */
    static java.util.Optional<String> remoteOf(Workspaces workspaces, Session s) {
        if (Source.URL.matcher(s.repo()).matches()) return java.util.Optional.of(s.repo());
        return workspaces.originUrl(s.source());
    }

    private String defaultTitle(Session s) {
        return store.firstOfType(s.id(), "burrow_prompt").map(StoredEvent::event)
                .filter(e -> e instanceof AgentEvent.UserPrompt p && !p.text().isBlank())
                .map(e -> SessionManager.shorten(((AgentEvent.UserPrompt) e).text()))
                .orElse("Changes from Burrow session " + s.shortId());
    }
}
