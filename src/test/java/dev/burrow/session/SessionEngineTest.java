package dev.burrow.session;

import dev.burrow.credentials.CredentialSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burrow.agent.AgentEvent;
import dev.burrow.config.Config;
import dev.burrow.container.Commands;
import dev.burrow.container.ContainerException;
import dev.burrow.container.ProcessRunner;
import dev.burrow.host.GpuSupport;
import dev.burrow.host.PodmanService;
import dev.burrow.store.Database;
import dev.burrow.store.SessionStore;
import dev.burrow.store.StoredEvent;
import dev.burrow.workspace.Workspaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session engine with a fake container engine and a fake agent speaking the run dir's
 * protocol: the whole life of a session and its failure paths, in seconds, without Podman.
 * The real git on the host makes and saves the workspaces.
 */
class SessionEngineTest {
    @TempDir
    Path tmp;
    private Path repo;
    private FakeEngine engine;
    private Database db;
    private SessionManager sessions;

    @BeforeEach
    void setUp() throws Exception {
        repo = tmp.resolve("repo");
        Files.createDirectories(repo);
        git(repo, "init", "-q", "-b", "main");
        Files.writeString(repo.resolve("README.md"), "hello\n");
        git(repo, "add", ".");
        git(repo, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "first");
        Config config = config();
        engine = new FakeEngine();
        db = new Database(config.database());
        Workspaces workspaces = new Workspaces(new Commands(ProcessRunner.SYSTEM), config.mirrorsDir());
        sessions = new SessionManager(config, engine, workspaces, new SessionStore(db), "fake-image", GpuSupport.NONE,
                new PodmanService(Map.of(), Files.createDirectories(tmp.resolve("rt"))));
    }

    @AfterEach
    void tearDown() {
        sessions.close();
        engine.close();
        db.close();
    }

    @Test
    void createTurnIdleStopResumeDelete() throws Exception {
        Session s = sessions.create(new NewSession(repo.toString(), null, "first task"), p -> { });
        awaitState(s, SessionState.IDLE);
        assertThat(types(s)).containsSubsequence("burrow_prompt", "system", "assistant", "result");
        assertThat(git(repo, "rev-parse", "--verify", "refs/heads/" + s.branch())).isNotBlank();

        // Work left uncommitted reaches the user's repository as a snapshot after the next turn.
        Files.writeString(s.workspace().resolve("notes.txt"), "uncommitted\n");
        sessions.send(s.id(), "second task");
        awaitTurns(s, 2);
        awaitState(s, SessionState.IDLE);
        assertThat(git(repo, "show", "refs/burrow/snapshots/" + s.shortId() + ":notes.txt")).isEqualTo("uncommitted");

        String first = sessions.get(s.id()).containerId();
        assertThat(sessions.stop(s.id()).state()).isEqualTo(SessionState.STOPPED);
        assertThat(engine.removed).contains(first);

        Session resumed = sessions.resume(s.id(), "third task", p -> { });
        assertThat(resumed.containerId()).isNotEqualTo(first);
        awaitTurns(s, 3);
        awaitState(s, SessionState.IDLE);
        assertThat(texts(s)).anyMatch(t -> t.contains("resumed in a fresh container"));

        sessions.delete(s.id());
        assertThat(Files.exists(s.dir())).isFalse();
        assertThat(sessions.list()).isEmpty();
        assertThat(git(repo, "rev-parse", "--verify", "refs/heads/" + s.branch())).isNotBlank(); // the branch stays
    }

    @Test
    void theSessionShowsSavingWhileItsWorkIsSaved() throws Exception {
        java.util.List<Boolean> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        sessions.subscribe(new SessionManager.Listener() {
            public void onEvent(StoredEvent e) {
            }

            public void onState(Session s) {
                seen.add(sessions.saving(s.id()));
            }
        });
        Session s = sessions.create(new NewSession(repo.toString(), null, "task"), p -> { });
        awaitState(s, SessionState.IDLE);
        assertThat(seen).contains(true);
        assertThat(sessions.saving(s.id())).isFalse();
        assertThat(sessions.save(s.id())).isPositive();
    }

    @Test
    void aLineLongerThan8MiBIsStoredCutAndAFullTranscriptStopsTheSession() throws Exception {
        Session s = sessions.create(new NewSession(repo.toString(), null, "task"), p -> { });
        awaitState(s, SessionState.IDLE);
        Path out = s.runDir().resolve("out.jsonl");
        byte[] line = new byte[20 << 20];
        java.util.Arrays.fill(line, (byte) 'x');
        line[line.length - 1] = '\n';
        Files.write(out, line, java.nio.file.StandardOpenOption.APPEND);
        awaitEvent(s, e -> e.json().contains("cut: " + ((12L << 20) - 1) + " more bytes"));
        StoredEvent cut = sessions.events(s.id(), 0).stream().filter(e -> e.event().json().contains("cut_bytes")).findFirst().orElseThrow();
        assertThat(cut.event().json().length()).isBetween(8 << 20, (8 << 20) + 200);
        assertThat(sessions.get(s.id()).state()).isEqualTo(SessionState.IDLE);

        // Past the 12 MiB quota the session stops, and what the agent printed after it is not stored.
        Files.write(out, line, java.nio.file.StandardOpenOption.APPEND);
        Files.write(out, line, java.nio.file.StandardOpenOption.APPEND);
        Session stopped = awaitState(s, SessionState.STOPPED);
        assertThat(stopped.reason()).contains("transcript reached the quota of 12 MiB");
        assertThat(sessions.events(s.id(), 0)).filteredOn(e -> e.event().json().contains("cut_bytes")).hasSize(2);
        assertThat(sessions.eventPage(s.id(), 0, 1000)).hasSizeLessThan(sessions.events(s.id(), 0).size()); // 16 MiB a page
    }

    @Test
    void sessionsRunTheRunnerImageBurrowRecordedAndRefuseOneRetaggedSince() throws Exception {
        Session s = sessions.create(new NewSession(repo.toString(), null, "task"), p -> { });
        assertThat(engine.lastSpec().image()).isEqualTo("f".repeat(64)); // the id, not the tag
        awaitState(s, SessionState.IDLE);
        engine.imageId = "e".repeat(64); // the tag now names another image
        SessionManager next = new SessionManager(config(), engine, new Workspaces(new Commands(ProcessRunner.SYSTEM), tmp.resolve("data/mirrors")),
                new SessionStore(db), "fake-image", GpuSupport.NONE, new PodmanService(Map.of(), tmp.resolve("rt")));
        try {
            assertThatThrownBy(() -> next.create(new NewSession(repo.toString(), null, "task"), p -> { }))
                    .isInstanceOf(SessionException.class).hasMessageContaining("is not the one Burrow built (it is eeeeeeeeeeee, Burrow built ffffffffffff)");
        } finally {
            next.close();
        }
    }

    @Test
    void aFailedStartLeavesNothing() {
        engine.failNextRun = new ContainerException("podman run failed: no space left on device");
        assertThatThrownBy(() -> sessions.create(new NewSession(repo.toString(), null, "task"), p -> { }))
                .isInstanceOf(SessionException.class).hasMessageContaining("no space left");
        assertThat(sessions.list()).isEmpty();
        assertThat(tmp.resolve("data/sessions")).satisfiesAnyOf(d -> assertThat(Files.exists(d)).isFalse(), d -> assertThat(d).isEmptyDirectory());
    }

    @Test
    void aContainerThatDiesDuringATurnFailsTheSession() throws Exception {
        Session s = sessions.create(new NewSession(repo.toString(), null, "hold on"), p -> { });
        assertThat(s.state()).isEqualTo(SessionState.RUNNING);
        engine.kill(sessions.get(s.id()).containerId());
        Session failed = awaitState(s, SessionState.FAILED);
        assertThat(failed.reason()).startsWith("the container died during a turn");
    }

    @Test
    void aContainerThatGoesAwayWhileIdleStopsTheSession() throws Exception {
        Session s = sessions.create(new NewSession(repo.toString(), null, "task"), p -> { });
        awaitState(s, SessionState.IDLE);
        engine.kill(sessions.get(s.id()).containerId());
        assertThat(awaitState(s, SessionState.STOPPED).reason()).startsWith("the container went away");
    }

    @Test
    void anAgentExitCodeFailsTheSessionWithIt() throws Exception {
        Session s = sessions.create(new NewSession(repo.toString(), null, "task"), p -> { });
        awaitState(s, SessionState.IDLE);
        sessions.send(s.id(), "exit 3");
        assertThat(awaitState(s, SessionState.FAILED).reason()).startsWith("Claude Code exited with code 3");
    }

    @Test
    void interruptEndsTheTurn() throws Exception {
        Session s = sessions.create(new NewSession(repo.toString(), null, "hold this"), p -> { });
        assertThat(s.state()).isEqualTo(SessionState.RUNNING);
        sessions.interrupt(s.id());
        awaitState(s, SessionState.IDLE);
        assertThat(sessions.turns(s.id())).singleElement().satisfies(t -> assertThat(t.isError()).isTrue());
    }

    @Test
    void terminalModeTurnsComeFromHooksAndClosingClaudeStops() throws Exception {
        Session s = sessions.create(new NewSession(repo.toString(), null, "", SessionMode.TERMINAL), p -> { });
        assertThat(s.state()).isEqualTo(SessionState.IDLE);
        sessions.send(s.id(), "typed task");
        assertThat(engine.execs).anySatisfy(argv -> assertThat(argv).contains("paste-buffer"));
        awaitEvent(s, e -> e instanceof AgentEvent.TerminalHook h && h.hook().equals(AgentEvent.TerminalHook.STOP));
        awaitState(s, SessionState.IDLE);
        engine.agent(sessions.get(s.id()).containerId()).exit(0);
        assertThat(awaitState(s, SessionState.STOPPED).reason()).contains("closed in the terminal");
    }

    @Test
    void aTerminalInterruptIsRecordedByBurrow() throws Exception {
        Session s = sessions.create(new NewSession(repo.toString(), null, "", SessionMode.TERMINAL), p -> { });
        sessions.send(s.id(), "hold it");
        awaitEvent(s, e -> e instanceof AgentEvent.TerminalHook h && h.hook().equals(AgentEvent.TerminalHook.PROMPT));
        sessions.interrupt(s.id());
        assertThat(engine.execs.getLast()).contains("Escape");
        assertThat(sessions.get(s.id()).state()).isEqualTo(SessionState.IDLE);
        // With the turn closed, a container that goes away now is a stop, not a failure.
        engine.kill(sessions.get(s.id()).containerId());
        assertThat(awaitState(s, SessionState.STOPPED).reason()).startsWith("the container went away");
    }

    @Test
    void switchingModeResumesTheConversationInTheOther() throws Exception {
        Session s = sessions.create(new NewSession(repo.toString(), null, "task"), p -> { });
        awaitState(s, SessionState.IDLE);
        Session switched = sessions.switchMode(s.id(), SessionMode.TERMINAL, p -> { });
        assertThat(switched.mode()).isEqualTo(SessionMode.TERMINAL);
        assertThat(switched.state()).isEqualTo(SessionState.IDLE);
        assertThat(texts(s)).anyMatch(t -> t.contains("resumed in a fresh container, in the terminal"));
    }

    @Test
    void aStartThatHungIsTriedOnceMoreAndSaysSo() throws Exception {
        engine.failNextRun = new dev.burrow.container.ContainerException.TimedOut("podman run failed: timed out after 60 s (its container was removed)", null);
        List<String> progress = new java.util.concurrent.CopyOnWriteArrayList<>();
        Session s = sessions.create(new NewSession(repo.toString(), null, "task"), progress::add);
        awaitState(s, SessionState.IDLE);
        assertThat(progress).contains("the container start hung and was stopped; starting it again");
    }

    @Test
    void aNearlyFullDiskStopsSessionsWithTheReasonAndRefusesNewOnesUntilThereIsRoom() throws Exception {
        Session s = sessions.create(new NewSession(repo.toString(), null, "task"), p -> { });
        awaitState(s, SessionState.IDLE);
        var free = new java.util.concurrent.atomic.AtomicLong(50L << 30);
        sessions.useDiskWatch(new DiskWatch(free::get, 1024L << 20));
        // With room, Burrow keeps a reserve for its own last writes; a shortage gives it up once the container is gone.
        assertThat(sessions.watchDisk()).isEmpty();
        Path reserve = tmp.resolve("data/disk-reserve");
        assertThat(Files.size(reserve)).isEqualTo(DiskReserve.BYTES);
        free.set(10L << 20);
        assertThat(sessions.watchDisk()).hasValueSatisfying(why -> assertThat(why).contains("10 MB free", "free some space"));
        Session stopped = sessions.get(s.id());
        assertThat(stopped.state()).isEqualTo(SessionState.STOPPED);
        assertThat(stopped.reason()).contains("10 MB free");
        assertThat(reserve).doesNotExist();
        assertThat(engine.removed).contains(s.containerId());
        assertThatThrownBy(() -> sessions.create(new NewSession(repo.toString(), null, "another"), p -> { }))
                .isInstanceOf(SessionException.class).hasMessageContaining("free some space");
        assertThatThrownBy(() -> sessions.resume(s.id(), null, p -> { })).hasMessageContaining("free some space");
        free.set(50L << 30);
        assertThat(sessions.watchDisk()).isEmpty();
        assertThat(sessions.resume(s.id(), null, p -> { }).state().live()).isTrue();
    }

    @Test
    void reconcileRemovesContainersNoSessionHasAndKeepsTheLiveOnes() throws Exception {
        Session s = sessions.create(new NewSession(repo.toString(), null, "task"), p -> { });
        awaitState(s, SessionState.IDLE);
        String live = sessions.get(s.id()).containerId();
        String halfMade = engine.leftOver(s.id()); // an earlier start of this session that failed half-way
        String orphan = engine.leftOver(java.util.UUID.randomUUID().toString()); // a session no longer in the database
        // Another install's, while its data dir exists: never ours to remove. With its data dir gone, nobody's.
        String anotherInstalls = engine.leftOver(java.util.UUID.randomUUID().toString(), Files.createDirectories(tmp.resolve("other-data")).toString());
        String goneInstalls = engine.leftOver(java.util.UUID.randomUUID().toString(), tmp.resolve("deleted-data").toString());
        sessions.reconcile(false);
        assertThat(engine.removed).containsExactlyInAnyOrder(halfMade, orphan, goneInstalls);
        assertThat(engine.inspect(anotherInstalls)).isPresent();
        assertThat(engine.inspect(live)).isPresent();
        assertThat(sessions.get(s.id()).state()).isEqualTo(SessionState.IDLE);
    }

    @Test
    void reconcileStopsASessionWhoseContainerIsGoneAndStoresWhatItPrinted() throws Exception {
        Session s = sessions.create(new NewSession(repo.toString(), null, "task"), p -> { });
        awaitState(s, SessionState.IDLE);
        String container = sessions.get(s.id()).containerId();
        sessions.close(); // this process stops following; the agent prints on
        engine.agent(container).write("{\"type\":\"assistant\",\"message\":{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"late\"}]}}");
        engine.remove(container);
        SessionManager next = new SessionManager(config(), engine, new Workspaces(new Commands(ProcessRunner.SYSTEM), tmp.resolve("data/mirrors")),
                new SessionStore(db), "fake-image", GpuSupport.NONE, new PodmanService(Map.of(), tmp.resolve("rt")));
        try {
            next.reconcile(true);
            assertThat(next.get(s.id()).state()).isEqualTo(SessionState.STOPPED);
            assertThat(next.events(s.id(), 0)).anySatisfy(e -> assertThat(e.event().json()).contains("late"));
        } finally {
            next.close();
        }
    }

    @Test
    void theServerTakesOverALiveSessionThatNobodyFollows() throws Exception {
        Session s = sessions.create(new NewSession(repo.toString(), null, "task"), p -> { });
        awaitState(s, SessionState.IDLE);
        String container = sessions.get(s.id()).containerId();
        sessions.close(); // the CLI that created it exits; the container runs on
        engine.agent(container).write("{\"type\":\"assistant\",\"message\":{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"unseen\"}]}}");
        SessionManager server = new SessionManager(config(), engine, new Workspaces(new Commands(ProcessRunner.SYSTEM), tmp.resolve("data/mirrors")),
                new SessionStore(db), "fake-image", GpuSupport.NONE, new PodmanService(Map.of(), tmp.resolve("rt")));
        try {
            server.reconcileEvery(Duration.ofMillis(100));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (server.events(s.id(), 0).stream().noneMatch(e -> e.event().json().contains("unseen"))) {
                if (System.nanoTime() > deadline) throw new AssertionError("the server never took the session over");
                Thread.sleep(20);
            }
            server.send(s.id(), "and now from the server");
            awaitTurns(s, 2);
        } finally {
            server.close();
        }
    }

    private Config config() {
        return Config.defaults(tmp.resolve("data")).withCredentials(CredentialSettings.of("sk-test", "")).withImages("fake-image", "").withWarm(0)
                .withGitIdentity("Tester", "tester@example.com").withTranscriptQuota(12L << 20);
    }

    // ---- helpers ----

    private Session awaitState(Session s, SessionState state) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            Session now = sessions.get(s.id());
            if (now.state() == state) return now;
            Thread.sleep(10);
        }
        throw new AssertionError("session never became " + state.label() + "; it is " + sessions.get(s.id()).state().label()
                + " (" + sessions.get(s.id()).reason() + "), events: " + types(s));
    }

    private void awaitTurns(Session s, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (sessions.turns(s.id()).size() < n) {
            if (System.nanoTime() > deadline) throw new AssertionError("fewer than " + n + " turns: " + types(s));
            Thread.sleep(10);
        }
    }

    private void awaitEvent(Session s, Predicate<AgentEvent> what) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (sessions.events(s.id(), 0).stream().map(StoredEvent::event).noneMatch(what)) {
            if (System.nanoTime() > deadline) throw new AssertionError("no such event: " + types(s));
            Thread.sleep(10);
        }
    }

    private List<String> types(Session s) {
        return sessions.events(s.id(), 0).stream().map(e -> e.event().type()).toList();
    }

    private List<String> texts(Session s) {
        return sessions.events(s.id(), 0).stream().map(e -> e.event().json()).toList();
    }

    private static String git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> argv = new java.util.ArrayList<>(List.of("git", "-C", dir.toString()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (p.waitFor() != 0) throw new AssertionError(String.join(" ", argv) + ": " + out);
        return out;
    }
}
