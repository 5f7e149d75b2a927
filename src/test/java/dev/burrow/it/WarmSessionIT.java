package dev.burrow.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.session.Session;
import dev.burrow.session.SessionState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Warm containers (BURROW_WARM): after a repository's first session, Burrow keeps a container
 * started for the next one. Before its claim, nothing of a session is in it; the session that
 * claims it answers through the real Claude Code, sees only its own workspace, never the session
 * before it, and the container is never handed out again.
 */
class WarmSessionIT {
    @TempDir
    Path tmp;

    @RegisterExtension
    final LiveBurrow live = LiveBurrow.warm();

    private Session run(Path repo, String command) {
        return Turns.bash(live.burrow.sessions(), repo, command, Duration.ofSeconds(300));
    }

    private String toolOutput(Session s) {
        return Turns.toolOutput(live.burrow.sessions(), s);
    }

    private String transcript(Session s) {
        return Turns.transcript(live.burrow.sessions(), s);
    }

    private String waitForWarm(String not) {
        AtomicReference<String> id = new AtomicReference<>();
        Eventually.await(Duration.ofSeconds(120), "a warm container", () -> {
            List<String> w = live.burrow.sessions().warmContainers();
            if (w.isEmpty() || w.get(0).equals(not)) return false;
            id.set(w.get(0));
            return true;
        });
        return id.get();
    }

    /** The session dir of the one warm container waiting (it has the pool's marker). */
    private Path warmDir() throws Exception {
        try (var dirs = Files.list(live.dataDir().resolve("sessions"))) {
            return dirs.filter(d -> Files.exists(d.resolve("warm"))).findFirst().orElseThrow();
        }
    }

    @Test
    void aWarmContainerHoldsNothingOfASessionUntilClaimedThenServesOneSessionThatNeverSeesTheOneBefore() throws Exception {
        Path repo = TestEnv.repo(tmp.resolve("repo"));
        Session first = run(repo, "echo first-session-was-here > /workspace/first.txt; echo mine > /tmp/first-tmp; echo done-first");
        assertThat(toolOutput(first)).as(transcript(first)).contains("done-first");
        String warm = waitForWarm(null);

        // Before its claim: running, and no workspace, no placeholder, no credentials, no approved key in it.
        Path dir = warmDir();
        String sessionId = dir.getFileName().toString();
        String inspect = TestEnv.podman("inspect", "--format", "{{.State.Running}} {{range .Config.Env}}{{println .}}{{end}}", warm);
        assertThat(inspect).startsWith("true").contains("BURROW_SESSION_ID=" + sessionId).doesNotContain("test-key-0123456789")
                .doesNotContain("ANTHROPIC_API_KEY");
        try (var ws = Files.list(dir.resolve("workspace")); var secrets = Files.list(dir.resolve("secrets"))) {
            assertThat(ws.toList()).isEmpty();
            assertThat(secrets.toList()).isEmpty();
        }
        assertThat(Files.exists(dir.resolve("secrets-pending"))).isFalse();
        Path claudeJson = dir.resolve("claude").resolve(".claude.json");
        assertThat(Files.exists(claudeJson) ? Files.readString(claudeJson) : "").doesNotContain("customApiKeyResponses");
        assertThat(live.burrow.sessions().list()).extracting(Session::id).doesNotContain(sessionId);

        Session second = run(repo, "ls -A /workspace; cat /workspace/first.txt /tmp/first-tmp; echo id=$BURROW_SESSION_ID");
        String out = toolOutput(second);
        assertThat(second.containerId()).as(transcript(second)).isEqualTo(warm);
        assertThat(second.id()).isEqualTo(sessionId);
        assertThat(second.state()).isEqualTo(SessionState.IDLE);
        assertThat(out).contains("README.md").contains("No such file").contains("id=" + sessionId).doesNotContain("first-session-was-here")
                .doesNotContain("mine");
        assertThat(transcript(second)).contains("Assistant[");
        assertThat(Files.exists(dir.resolve("warm"))).isFalse();

        // Never handed out again: the next warm container is another container, for another session.
        String next = waitForWarm(warm);
        assertThat(next).isNotEqualTo(warm);
        assertThat(warmDir().getFileName().toString()).isNotEqualTo(sessionId);
    }

    @Test
    void aWarmContainerOfAnotherEnvironmentThanTheSessionsCommitIsRemovedAndTheSessionStartsCold() throws Exception {
        Path repo = TestEnv.repo(tmp.resolve("repo"));
        Session first = run(repo, "echo done-first");
        assertThat(toolOutput(first)).contains("done-first");
        String warm = waitForWarm(null);
        // The user gives the repository an environment of its own: the warm container (Burrow's image) no longer fits.
        Files.writeString(repo.resolve(".devcontainer.json"), "{\"image\": \"" + System.getenv().getOrDefault("BURROW_BASE_IMAGE",
                "localhost/burrow-base:bookworm") + "\", \"containerEnv\": {\"ENV_MARK\": \"own-env\"}}\n");
        TestEnv.git(repo, "add", ".");
        TestEnv.git(repo, "-c", "user.name=T", "-c", "user.email=t@t.invalid", "commit", "-q", "-m", "environment");
        Session second = run(repo, "echo mark=$ENV_MARK");
        assertThat(toolOutput(second)).as(transcript(second)).contains("mark=own-env");
        assertThat(second.containerId()).isNotEqualTo(warm);
        assertThat(TestEnv.podmanStatus("container", "exists", warm)).isNotZero();
    }

    /**
     * An environment the agent commits whose /bin/sh plants a git hook in /workspace/.git as soon
     * as one appears: it runs in the warm container (and in a cold one, during the clone) before
     * any session's agent, for as long as the container waits. Burrow's git never runs in the
     * workspace, so the hook never runs on the host.
     */
    @Test
    void aWarmContainerOfAHostileEnvironmentCannotPlantAnythingThatRunsOnTheHost() throws Exception {
        Path ran = tmp.resolve("hook-ran-on-the-host");
        String planter = "#!/bin/dash\nif [ ! -e /tmp/planter ]; then : > /tmp/planter; (while :; do if [ -d /workspace/.git/hooks ]; then "
                + "printf '#!/bin/sh\\ntouch " + ran + "\\n' > /workspace/.git/hooks/post-checkout; chmod +x /workspace/.git/hooks/post-checkout; fi; done) & fi\n"
                + "exec /bin/dash \"$@\"\n";
        String containerfile = "FROM " + System.getenv().getOrDefault("BURROW_BASE_IMAGE", "localhost/burrow-base:bookworm") + "\n"
                + "COPY sh-wrapper /usr/local/lib/sh-wrapper\nRUN chmod 755 /usr/local/lib/sh-wrapper && ln -sf /usr/local/lib/sh-wrapper /bin/sh\n";
        String json = "{\"build\": {\"dockerfile\": \"Containerfile\"}}\n";
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        String attack = "mkdir -p .devcontainer && echo " + b64.encodeToString(planter.getBytes()) + " | base64 -d > .devcontainer/sh-wrapper"
                + " && echo " + b64.encodeToString(containerfile.getBytes()) + " | base64 -d > .devcontainer/Containerfile"
                + " && echo " + b64.encodeToString(json.getBytes()) + " | base64 -d > .devcontainer/devcontainer.json"
                + " && git add -A && git commit -q -m environment && echo committed";
        Path repo = TestEnv.repo(tmp.resolve("repo"));
        Session first = run(repo, attack);
        assertThat(toolOutput(first)).as(transcript(first)).contains("committed");
        // The branch's first session starts cold (the environment built, the hostile /bin/sh running during the clone);
        // it marks the branch as used, and the pool starts a warm container of that environment for the next.
        Session cold = Turns.bash(live.burrow.sessions(), repo, first.branch(), "ls -A /workspace/.git/hooks; echo cold-done", Duration.ofSeconds(600));
        assertThat(toolOutput(cold)).as(transcript(cold)).contains("post-checkout").contains("cold-done");
        // Two wait: the repository's default branch's (of the first session) and this branch's.
        Eventually.await(Duration.ofSeconds(120), "two warm containers", () -> live.burrow.sessions().warmContainers().size() == 2);
        List<String> waiting = live.burrow.sessions().warmContainers();
        Thread.sleep(2000); // the planter has been waiting, its loop running
        Session claimed = Turns.bash(live.burrow.sessions(), repo, first.branch(), "ls -A /workspace/.git/hooks; echo warm-done", Duration.ofSeconds(300));
        assertThat(waiting).as(transcript(claimed)).contains(claimed.containerId());
        assertThat(toolOutput(claimed)).contains("post-checkout").contains("warm-done");
        assertThat(ran).doesNotExist();
    }
}
