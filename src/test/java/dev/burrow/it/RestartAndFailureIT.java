package dev.burrow.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.Burrow;
import dev.burrow.agent.AgentEvent;
import dev.burrow.bench.ScriptedModel;
import dev.burrow.session.NewSession;
import dev.burrow.session.Session;
import dev.burrow.session.SessionMode;
import dev.burrow.session.SessionState;
import dev.burrow.store.StoredEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Burrow restarting under a running turn, and containers dying under their sessions. */
class RestartAndFailureIT {
    @TempDir
    Path tmp;
    ScriptedModel model;
    Path repo;
    Burrow burrow;

    @BeforeEach
    void start() throws Exception {
        model = new ScriptedModel();
        repo = TestEnv.repo(tmp.resolve("repo"));
        burrow = TestEnv.burrow(tmp.resolve("data"), model);
    }

    @AfterEach
    void stop() {
        TestEnv.stopLive(burrow);
        burrow.close();
        model.close();
    }

    @Test
    void aRestartDuringATurnLosesNothingAndRepeatsNothing() throws Exception {
        model.slowChunkMillis(150);
        Session s = burrow.sessions().create(new NewSession(repo.toString(), null, "SLOW story"), p -> { });
        Eventually.await(Duration.ofSeconds(60), "the slow request", () -> model.sawText("SLOW story"));
        burrow.close(); // the server goes away in the middle of the turn

        burrow = TestEnv.burrow(tmp.resolve("data"), model);
        burrow.sessions().reconcile(true);
        s = Eventually.state(burrow, s.id(), SessionState.IDLE, Duration.ofSeconds(90));

        List<StoredEvent> events = burrow.sessions().events(s.id(), 0);
        assertThat(events).extracting(StoredEvent::seq)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, events.size()).boxed().toList());
        assertThat(events).extracting(e -> e.event().json()).doesNotHaveDuplicates();
        assertThat(events).filteredOn(e -> e.event() instanceof AgentEvent.TurnResult).hasSize(1);
        assertThat(events).filteredOn(e -> e.event() instanceof AgentEvent.SystemInit).hasSize(1);
        String text = events.stream().filter(e -> e.event() instanceof AgentEvent.Assistant)
                .map(e -> ((AgentEvent.Assistant) e.event()).message().toString()).reduce("", String::concat);
        assertThat(text).contains("This answer streams slowly.");

        // And the session still takes a follow-up from the new process.
        burrow.sessions().send(s.id(), "still there?");
        Eventually.state(burrow, s.id(), SessionState.IDLE, Duration.ofSeconds(90));
        assertThat(model.sawText("still there?")).isTrue();
    }

    @Test
    void aContainerKilledDuringATurnFailsTheSessionWithinSeconds() throws Exception {
        model.slowChunkMillis(500);
        Session s = burrow.sessions().create(new NewSession(repo.toString(), null, "SLOW and then killed"), p -> { });
        Eventually.await(Duration.ofSeconds(60), "the slow request", () -> model.sawText("SLOW and then killed"));
        String container = burrow.sessions().get(s.id()).containerId();
        long killedAt = System.nanoTime();
        TestEnv.podman("kill", container);
        s = Eventually.state(burrow, s.id(), SessionState.FAILED, Duration.ofSeconds(10));
        assertThat((System.nanoTime() - killedAt) / 1e9).isLessThan(10);
        assertThat(s.reason()).contains("died during a turn").contains("exit code");
        assertThat(burrow.engine().inspect(container)).isEmpty();

        // A failed session resumes in a fresh container with the same conversation.
        burrow.sessions().send(s.id(), "are you back?");
        s = Eventually.state(burrow, s.id(), SessionState.IDLE, Duration.ofSeconds(90));
        assertThat(model.requests().getLast().path("messages").toString()).contains("SLOW and then killed");
    }

    @Test
    void atStartSessionsWhoseContainerIsGoneBecomeStoppedAndResumable() throws Exception {
        Session s = burrow.sessions().create(new NewSession(repo.toString(), null, "hello there"), p -> { });
        Eventually.state(burrow, s.id(), SessionState.IDLE, Duration.ofSeconds(90));
        String container = burrow.sessions().get(s.id()).containerId();
        burrow.close();
        TestEnv.podman("rm", "--force", container);

        burrow = TestEnv.burrow(tmp.resolve("data"), model);
        burrow.sessions().reconcile(true);
        s = burrow.sessions().get(s.id());
        assertThat(s.state()).isEqualTo(SessionState.STOPPED);
        burrow.sessions().send(s.id(), "resumed after the container vanished");
        Eventually.state(burrow, s.id(), SessionState.IDLE, Duration.ofSeconds(90));
        assertThat(model.requests().getLast().path("messages").toString()).contains("hello there");
    }

    private void restartWithIdleTimeout(Duration idle) {
        burrow.close();
        dev.burrow.config.Config c = TestEnv.config(tmp.resolve("data"), model);
        burrow = Burrow.start(c.withIdleTimeout(idle));
    }

    @Test
    void anIdleSessionStopsItsContainerAfterTheIdleTimeoutAndResumes() throws Exception {
        restartWithIdleTimeout(Duration.ofSeconds(3));
        Session s = burrow.sessions().create(new NewSession(repo.toString(), null, "short task"), p -> { });
        Eventually.state(burrow, s.id(), SessionState.IDLE, Duration.ofSeconds(90));
        String container = burrow.sessions().get(s.id()).containerId();
        s = Eventually.state(burrow, s.id(), SessionState.STOPPED, Duration.ofSeconds(30));
        assertThat(s.reason()).contains("without a turn");
        assertThat(burrow.engine().inspect(container)).isEmpty();
        burrow.sessions().send(s.id(), "wake up");
        Eventually.state(burrow, s.id(), SessionState.IDLE, Duration.ofSeconds(90));
        assertThat(model.requests().getLast().path("messages").toString()).contains("short task");
    }

    @Test
    void anIdleTerminalSessionStopsAfterItsLastHookAndResumesInTheTerminalWithTheMessage() throws Exception {
        restartWithIdleTimeout(Duration.ofSeconds(3));
        Session s = burrow.sessions().create(new NewSession(repo.toString(), null, "short terminal task", SessionMode.TERMINAL), p -> { });
        Eventually.state(burrow, s.id(), SessionState.IDLE, Duration.ofSeconds(90));
        s = Eventually.state(burrow, s.id(), SessionState.STOPPED, Duration.ofSeconds(30));
        assertThat(s.reason()).contains("without a turn");
        burrow.sessions().send(s.id(), "wake up in the terminal");
        assertThat(burrow.sessions().get(s.id()).mode()).isEqualTo(SessionMode.TERMINAL);
        Eventually.await(Duration.ofSeconds(90), "the resumed turn", () -> model.sawText("wake up in the terminal"));
        assertThat(model.requests().getLast().path("messages").toString()).contains("short terminal task");
    }
}
