package dev.burrow.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.Burrow;
import dev.burrow.agent.AgentEvent;
import dev.burrow.bench.ScriptedModel;
import dev.burrow.session.NewSession;
import dev.burrow.session.Session;
import dev.burrow.session.SessionManager;
import dev.burrow.session.SessionState;
import dev.burrow.store.StoredEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The engine end to end: real podman, the real runner image, the real Claude Code, a scripted model. */
class SessionEngineIT {
    @TempDir
    Path tmp;
    ScriptedModel model;
    Burrow burrow;
    SessionManager sessions;
    Path repo;

    @RegisterExtension
    final LiveBurrow live = LiveBurrow.engine();

    @BeforeEach
    void start() throws Exception {
        model = live.model;
        burrow = live.burrow;
        sessions = burrow.sessions();
        repo = TestEnv.repo(tmp.resolve("repo"));
    }

    Session awaitTurnEnd(String id) {
        Eventually.await(Duration.ofSeconds(90), "the turn to end",
                () -> sessions.get(id).state() != SessionState.RUNNING && sessions.get(id).state() != SessionState.CREATING);
        return sessions.get(id);
    }

    List<AgentEvent> events(String id) {
        return sessions.events(id, 0).stream().map(StoredEvent::event).toList();
    }

    String assistantText(String id) {
        StringBuilder sb = new StringBuilder();
        for (AgentEvent e : events(id)) {
            if (e instanceof AgentEvent.Assistant a) {
                a.message().path("content").forEach(b -> sb.append(b.path("text").asString("")));
            }
        }
        return sb.toString();
    }

    @Test
    void aTextAnswerIsStoredInOrderAndTheSessionWaits() {
        Session s = sessions.create(new NewSession(repo.toString(), null, "Say hi"), p -> { });
        s = awaitTurnEnd(s.id());
        assertThat(s.state()).isEqualTo(SessionState.IDLE);
        assertThat(assistantText(s.id())).contains(ScriptedModel.REPLY_PREFIX + "Say hi");
        List<StoredEvent> stored = sessions.events(s.id(), 0);
        assertThat(stored.getFirst().event()).isInstanceOf(AgentEvent.UserPrompt.class);
        assertThat(stored).extracting(StoredEvent::seq).containsExactlyElementsOf(
                java.util.stream.LongStream.rangeClosed(1, stored.size()).boxed().toList());
        assertThat(events(s.id())).anySatisfy(e -> assertThat(e).isInstanceOf(AgentEvent.SystemInit.class));
        AgentEvent.TurnResult result = events(s.id()).stream().filter(AgentEvent.TurnResult.class::isInstance)
                .map(AgentEvent.TurnResult.class::cast).findFirst().orElseThrow();
        assertThat(result.isError()).isFalse();
        assertThat(sessions.turns(s.id())).hasSize(1);
        assertThat(sessions.get(s.id()).claudeSessionId()).isNotBlank();
    }

    @Test
    void aBashToolCallCommitsAndTheCommitLandsOnTheSessionBranchInTheSourceRepo() throws Exception {
        String cmd = "echo made-in-container > proof.txt && git add proof.txt && git commit -q -m 'Add proof' && echo committed";
        Session s = sessions.create(new NewSession(repo.toString(), null, "BASH: " + cmd), p -> { });
        s = awaitTurnEnd(s.id());
        assertThat(s.state()).isEqualTo(SessionState.IDLE);
        assertThat(TestEnv.git(repo, "log", "--format=%s|%an", "-1", s.branch())).isEqualTo("Add proof|Burrow Test");
        assertThat(TestEnv.git(repo, "show", s.branch() + ":proof.txt")).isEqualTo("made-in-container");
        // Asked for through the run dir (runner/burrow-agent-run answers there), not a podman exec.
        assertThat(sessions.lastSaveWay(s.id())).contains("run dir");
        // The user's own checkout is untouched.
        assertThat(TestEnv.git(repo, "rev-parse", "--abbrev-ref", "HEAD")).isEqualTo("main");
    }

    @Test
    void uncommittedChangesAreKeptAsASnapshotWithoutTouchingTheBranch() throws Exception {
        Session s = sessions.create(new NewSession(repo.toString(), null, "BASH: echo draft > draft.txt"), p -> { });
        s = awaitTurnEnd(s.id());
        String branchHead = TestEnv.git(repo, "rev-parse", s.branch());
        assertThat(branchHead).isEqualTo(TestEnv.git(repo, "rev-parse", "main"));
        String snapshot = "refs/burrow/snapshots/" + s.shortId();
        assertThat(TestEnv.git(repo, "show", snapshot + ":draft.txt")).isEqualTo("draft");
        // The agent's index is untouched: draft.txt is still untracked in the workspace.
        assertThat(TestEnv.git(s.workspace(), "status", "--porcelain")).contains("?? draft.txt");
    }

    @Test
    void aFollowUpTurnContinuesTheConversation() {
        Session s = sessions.create(new NewSession(repo.toString(), null, "first message"), p -> { });
        awaitTurnEnd(s.id());
        sessions.send(s.id(), "second message");
        s = awaitTurnEnd(s.id());
        assertThat(s.state()).isEqualTo(SessionState.IDLE);
        assertThat(assistantText(s.id())).contains("second message");
        assertThat(sessions.turns(s.id())).hasSize(2);
        assertThat(model.requests().getLast().path("messages").toString()).contains("first message");
    }

    @Test
    void anInterruptEndsASlowTurnAndTheSessionTakesTheNextMessage() throws InterruptedException {
        model.slowChunkMillis(500);
        Session s = sessions.create(new NewSession(repo.toString(), null, "SLOW please"), p -> { });
        Eventually.await(Duration.ofSeconds(60), "the slow request", () -> model.sawText("SLOW please"));
        // The request reaching the model is only a lower bound for Claude Code's query loop to be
        // taking control requests; an interrupt that arrives earlier is applied to the next turn.
        Thread.sleep(1000);
        sessions.interrupt(s.id());
        s = awaitTurnEnd(s.id());
        assertThat(s.state()).isEqualTo(SessionState.IDLE);
        sessions.send(s.id(), "after the interrupt");
        s = awaitTurnEnd(s.id());
        String id = s.id();
        assertThat(assistantText(s.id())).as("events: %s", sessions.events(id, 0).stream()
                .map(e -> e.event().type() + (e.event() instanceof AgentEvent.TurnResult r ? "(" + r.subtype() + ")" : "")).toList())
                .contains("after the interrupt");
    }

    @Test
    void anApiErrorEndsTheTurnAsAnError() {
        Session s = sessions.create(new NewSession(repo.toString(), null, "API_ERROR now"), p -> { });
        s = awaitTurnEnd(s.id());
        AgentEvent.TurnResult result = events(s.id()).stream().filter(AgentEvent.TurnResult.class::isInstance)
                .map(AgentEvent.TurnResult.class::cast).findFirst().orElseThrow();
        assertThat(result.isError()).isTrue();
        assertThat(result.json()).contains("scripted failure");
    }

    @Test
    void stopThenResumeContinuesTheSameConversationInAFreshContainer() {
        Session s = sessions.create(new NewSession(repo.toString(), null, "remember the word pelican"), p -> { });
        awaitTurnEnd(s.id());
        String firstContainer = sessions.get(s.id()).containerId();
        sessions.stop(s.id());
        assertThat(sessions.get(s.id()).state()).isEqualTo(SessionState.STOPPED);
        assertThat(burrow.engine().inspect(firstContainer)).isEmpty();

        int before = model.requests().size();
        sessions.send(s.id(), "what was the word?");
        s = awaitTurnEnd(s.id());
        assertThat(s.state()).isEqualTo(SessionState.IDLE);
        assertThat(s.containerId()).isNotEqualTo(firstContainer);
        assertThat(model.requests().subList(before, model.requests().size()))
                .anySatisfy(r -> assertThat(r.path("messages").toString()).contains("remember the word pelican").contains("what was the word?"));
    }

    @Test
    void aUrlSourceKeepsTheSessionBranchInTheMirror() throws Exception {
        String cmd = "echo via-url > url.txt && git add url.txt && git commit -q -m 'From a URL session'";
        Session s = sessions.create(new NewSession("file://" + repo, null, "BASH: " + cmd), p -> { });
        s = awaitTurnEnd(s.id());
        assertThat(s.source().getParent()).isEqualTo(live.dataDir().resolve("mirrors"));
        // Transcripts, workspaces and mirrors are the user's alone.
        assertThat(java.nio.file.Files.getPosixFilePermissions(live.dataDir()))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        assertThat(TestEnv.git(s.source(), "log", "-1", "--format=%s", s.branch())).isEqualTo("From a URL session");
        // The user's repository behind the URL is not written to.
        assertThat(TestEnv.git(repo, "branch", "--list", s.branch())).isEmpty();
    }

    @Test
    void aSecondSessionOfTheSameUrlKeepsTheFirstOnesBranchAndSnapshot() throws Exception {
        String cmd = "echo kept > kept.txt && git add kept.txt && git commit -q -m 'First session' && echo draft > draft.txt";
        Session first = awaitTurnEnd(sessions.create(new NewSession("file://" + repo, null, "BASH: " + cmd), p -> { }).id());
        String snapshot = "refs/burrow/snapshots/" + first.shortId();
        assertThat(TestEnv.git(first.source(), "show", snapshot + ":draft.txt")).isEqualTo("draft");
        sessions.stop(first.id());

        // The next session of this URL refreshes the mirror (fetch --prune) before it clones.
        Session second = awaitTurnEnd(sessions.create(new NewSession("file://" + repo, null, "BASH: true"), p -> { }).id());
        assertThat(second.source()).isEqualTo(first.source());
        assertThat(TestEnv.git(first.source(), "log", "-1", "--format=%s", first.branch())).isEqualTo("First session");
        assertThat(TestEnv.git(first.source(), "show", snapshot + ":draft.txt")).isEqualTo("draft");
    }

    @Test
    void theWorkComesOutThroughBundlesEvenFromAKilledContainer() throws Exception {
        String cmd = "echo one > one.txt && git add one.txt && git commit -q -m 'Committed by the agent' && echo draft > draft.txt";
        Session s = awaitTurnEnd(sessions.create(new NewSession(repo.toString(), null, "BASH: " + cmd), p -> { }).id());
        String snapshot = "refs/burrow/snapshots/" + s.shortId();
        assertThat(TestEnv.git(repo, "log", "-1", "--format=%s", s.branch())).isEqualTo("Committed by the agent");
        assertThat(TestEnv.git(repo, "show", snapshot + ":draft.txt")).isEqualTo("draft");

        // Written after the last turn's save, then the container dies: a throwaway container saves it.
        java.nio.file.Files.writeString(s.workspace().resolve("late.txt"), "late\n");
        TestEnv.podman("kill", s.containerId());
        Eventually.await(Duration.ofSeconds(30), "the session to notice", () -> !sessions.get(s.id()).state().live());
        assertThat(TestEnv.git(repo, "show", snapshot + ":late.txt")).isEqualTo("late");
        assertThat(sessions.events(s.id(), 0)).noneSatisfy(e -> assertThat(e.event().json()).contains("could not save"));
        assertThat(sessions.diff(s.id())).contains("+one");
    }

    @Test
    void hostGitNeverRunsWhatTheAgentConfigured() throws Exception {
        // Each of these would run a command if git on the host honoured the workspace's config.
        Path marker = tmp.resolve("pwned");
        String cmd = String.join(" && ",
                "git config core.fsmonitor 'touch " + marker + "-fsmonitor; false'",
                "git config diff.external 'touch " + marker + "-external'",
                "git config diff.evil.textconv 'touch " + marker + "-textconv; cat'",
                "git config filter.evil.clean 'touch " + marker + "-clean; cat'",
                "git config core.hooksPath /tmp/hooks && mkdir -p /tmp/hooks",
                "printf '#!/bin/sh\\ntouch " + marker + "-hook 2>/dev/null\\nexit 0\\n' > /tmp/hooks/reference-transaction"
                        + " && chmod +x /tmp/hooks/reference-transaction",
                "printf '* diff=evil filter=evil\\n' > .gitattributes",
                // Config that comes in sideways: an include (a file in the workspace, so present on the host), ssh, upload-pack.
                "printf '[core]\\n\\tfsmonitor = touch " + marker + "-include; false\\n' > evil.cfg && git config include.path ../evil.cfg",
                "git config core.sshCommand 'touch " + marker + "-ssh'",
                "git config uploadpack.packObjectsHook 'touch " + marker + "-packhook'",
                "echo changed > README.md && git add -A && git commit -q -m 'Hostile config'",
                "echo more >> README.md");
        Session s = awaitTurnEnd(sessions.create(new NewSession(repo.toString(), null, "BASH: " + cmd), p -> { }).id());
        assertThat(s.state()).isEqualTo(SessionState.IDLE);
        assertThat(TestEnv.git(repo, "log", "-1", "--format=%s", s.branch())).as("the agent's commit, saved").isEqualTo("Hostile config");
        assertThat(sessions.diff(s.id())).contains("+changed");
        sessions.stop(s.id());
        assertThat(TestEnv.git(repo, "log", "-1", "--format=%s", s.branch())).isEqualTo("Hostile config");
        assertThat(TestEnv.git(repo, "show", "refs/burrow/snapshots/" + s.shortId() + ":README.md")).contains("more");
        try (var files = java.nio.file.Files.list(tmp)) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.startsWith("pwned"));
        }
    }

    @Test
    void aWorkspaceGitThatPointsAtTheUsersRepositoryReachesNothingOnTheHost() throws Exception {
        // The agent aims its .git at the user's repository by the host's paths: a link into its
        // refs, an alternates file, then a gitdir: file in place of the .git dir.
        Path userGit = repo.resolve(".git");
        String mainBefore = TestEnv.git(repo, "rev-parse", "main");
        String refsBefore = TestEnv.git(repo, "for-each-ref", "--format=%(refname) %(objectname)");
        String cmd = String.join("; ",
                "ln -s " + userGit.resolve("refs/heads/main") + " .git/refs/heads/evil",
                "echo " + userGit.resolve("objects") + " >> .git/objects/info/alternates",
                "echo x > x.txt && git add x.txt && git commit -qm 'With links'",
                // Were an object file shared with the user's repository (a hard link), this would rewrite it there.
                "for f in $(find .git/objects -type f); do chmod u+w $f; printf garbage > $f; done",
                "mv .git /tmp/real-git && printf 'gitdir: " + userGit + "\\n' > .git",
                "echo after > after.txt");
        Session s = awaitTurnEnd(sessions.create(new NewSession(repo.toString(), null, "BASH: " + cmd), p -> { }).id());
        assertThat(s.state()).isEqualTo(SessionState.IDLE);
        sessions.stop(s.id());
        // The user's repository: the same refs (besides the session's own), nothing written into it.
        assertThat(TestEnv.git(repo, "rev-parse", "main")).isEqualTo(mainBefore);
        String refsAfter = TestEnv.git(repo, "for-each-ref", "--format=%(refname) %(objectname)");
        assertThat(refsAfter.lines().filter(l -> !l.startsWith("refs/heads/burrow/") && !l.startsWith("refs/burrow/")))
                .containsExactlyElementsOf(refsBefore.lines().toList());
        assertThat(TestEnv.git(repo, "fsck", "--no-dangling")).doesNotContain("error");
        assertThat(TestEnv.git(repo, "show", "main:README.md")).isEqualTo("# test repo");
        assertThat(Files.readString(s.workspace().resolve(".git"))).startsWith("gitdir: "); // left as the agent made it, never followed
    }
}
