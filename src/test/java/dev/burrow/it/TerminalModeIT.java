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
import dev.burrow.web.WebServer;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Terminal mode: the real interactive Claude Code in tmux in the session's container, against
 * the scripted Messages API. Its screen is read with tmux capture-pane; working and waiting
 * come from its hooks.
 */
class TerminalModeIT {
    private static final Duration START = Duration.ofSeconds(90);
    @TempDir
    Path tmp;
    ScriptedModel model;
    Burrow burrow;
    WebServer server;
    String token;

    @RegisterExtension
    final LiveBurrow live = LiveBurrow.serving();

    @BeforeEach
    void start() throws Exception {
        model = live.model;
        burrow = live.burrow;
        server = live.server;
        burrow.auth().setPassword("terminal mode test password");
        token = burrow.auth().createToken("terminal-mode");
    }

    private Session state(Session s) {
        return burrow.sessions().get(s.id());
    }

    private String screen(Session s) throws Exception {
        return TestEnv.podman("exec", state(s).containerId(), "tmux", "capture-pane", "-p", "-J", "-t", "claude");
    }

    private List<AgentEvent.TerminalHook> hooks(Session s) {
        return burrow.sessions().events(s.id(), 0).stream().map(StoredEvent::event)
                .filter(AgentEvent.TerminalHook.class::isInstance).map(AgentEvent.TerminalHook.class::cast).toList();
    }

    @Test
    void aPromptTypedOnClaudesScreenIsAnsweredThereAndTheHooksReportWorkingThenWaiting() throws Exception {
        Session s = burrow.sessions().create(new NewSession(TestEnv.repo(tmp.resolve("repo")).toString(), null, "", SessionMode.TERMINAL), p -> { });
        assertThat(s.mode()).isEqualTo(SessionMode.TERMINAL);
        assertThat(s.state()).isEqualTo(SessionState.IDLE);
        // No first-run dialog: the prompt box is there.
        Eventually.await(START, "Claude's prompt box", () -> screen(s).contains("bypass permissions on"));

        model.slowChunkMillis(100);
        TerminalIT.Screen view = new TerminalIT.Screen();
        WebSocket ws = TerminalIT.connect(server, s, view, "?window=claude&cols=110&rows=35", "Authorization", "Bearer " + token);
        TerminalIT.type(ws, "SLOW please, from the browser");
        Thread.sleep(300);
        TerminalIT.type(ws, "\r");
        Eventually.await(Duration.ofSeconds(60), "working, from the UserPromptSubmit hook", () -> state(s).state() == SessionState.RUNNING);
        Eventually.await(Duration.ofSeconds(60), "waiting, from the Stop hook", () -> state(s).state() == SessionState.IDLE);
        assertThat(screen(s)).contains("This answer streams slowly.");
        assertThat(view.text.toString()).contains("streams");
        assertThat(hooks(s)).extracting(AgentEvent.TerminalHook::hook).containsExactly("UserPromptSubmit", "Stop");
        assertThat(hooks(s).getFirst().text()).isEqualTo("SLOW please, from the browser");
        assertThat(state(s).claudeSessionId()).isEqualTo(hooks(s).getFirst().claudeSessionId()).isNotBlank();

        // A message sent through the API is typed into the same screen, new lines and all.
        burrow.sessions().send(s.id(), "second line one\nsecond line two");
        Eventually.await(Duration.ofSeconds(60), "the second answer", () -> hooks(s).size() == 4);
        assertThat(hooks(s).get(2).text()).isEqualTo("second line one\nsecond line two");
        assertThat(model.sawText("second line two")).isTrue();

        // Interrupt presses Esc on Claude's screen; the session waits for the user again.
        model.slowChunkMillis(400);
        burrow.sessions().send(s.id(), "SLOW and then interrupted");
        Eventually.await(Duration.ofSeconds(60), "the third prompt, from its hook", () -> hooks(s).size() == 5);
        Thread.sleep(1500); // into the streamed answer
        burrow.sessions().interrupt(s.id());
        assertThat(state(s).state()).isEqualTo(SessionState.IDLE);
        Eventually.await(Duration.ofSeconds(30), "Claude's own word for it", () -> screen(s).contains("Interrupted"));

                // Closing Claude Code (/exit) ends the session, resumably, and ends the viewer's terminal.
        TerminalIT.type(ws, "/exit");
        Thread.sleep(500);
        TerminalIT.type(ws, "\r");
        Eventually.await(Duration.ofSeconds(30), "stopped", () -> state(s).state() == SessionState.STOPPED);
        assertThat(state(s).reason()).contains("closed in the terminal");
        assertThat(view.closed.get(30, TimeUnit.SECONDS)).isNotBlank();
    }

    @Test
    void aChatSessionContinuesInTheTerminalAndBackWithItsConversation() throws Exception {
        Session s = burrow.sessions().create(new NewSession(TestEnv.repo(tmp.resolve("repo")).toString(), null, "remember the word pelican"), p -> { });
        Eventually.await(START, "the chat turn", () -> state(s).state() == SessionState.IDLE);
        String chatContainer = state(s).containerId();
        String conversation = state(s).claudeSessionId();

        Session t = burrow.sessions().switchMode(s.id(), SessionMode.TERMINAL, p -> { });
        assertThat(t.mode()).isEqualTo(SessionMode.TERMINAL);
        assertThat(t.state()).isEqualTo(SessionState.IDLE);
        assertThat(t.containerId()).isNotEqualTo(chatContainer);
        Eventually.await(START, "the resumed conversation on screen", () -> screen(s).contains("remember the word pelican"));
        burrow.sessions().send(s.id(), "which bird did I name?");
        Eventually.await(Duration.ofSeconds(60), "the terminal turn", () -> hooks(s).size() == 2 && state(s).state() == SessionState.IDLE);
        // The stand-in got the earlier chat messages with the new prompt: the same conversation.
        assertThat(model.requests().getLast().path("messages").toString()).contains("remember the word pelican", "which bird did I name?");
        assertThat(state(s).claudeSessionId()).isEqualTo(conversation);

        Session back = burrow.sessions().switchMode(s.id(), SessionMode.CHAT, p -> { });
        assertThat(back.mode()).isEqualTo(SessionMode.CHAT);
        burrow.sessions().send(s.id(), "and now in chat again");
        Eventually.await(START, "the chat turn after the terminal", () -> state(s).state() == SessionState.IDLE
                && model.sawText("and now in chat again"));
        assertThat(model.requests().getLast().path("messages").toString())
                .contains("remember the word pelican", "which bird did I name?", "and now in chat again");
    }

    @Test
    void aFirstPromptStartsTheTerminalSessionWorkingAndTheChatWindowIsRefusedToChatSessions() throws Exception {
        Path repo = TestEnv.repo(tmp.resolve("repo"));
        Session s = burrow.sessions().create(new NewSession(repo.toString(), null, "-dash first prompt", SessionMode.TERMINAL), p -> { });
        assertThat(s.state()).isEqualTo(SessionState.RUNNING);
        Eventually.await(START, "the first turn", () -> hooks(s).size() == 2 && state(s).state() == SessionState.IDLE);
        assertThat(hooks(s).getFirst().text()).isEqualTo("-dash first prompt");
        assertThat(TestEnv.podman("inspect", state(s).containerId())).doesNotContain("dash first prompt");

        Session chat = burrow.sessions().create(new NewSession(repo.toString(), null, "hello"), p -> { });
        TerminalIT.Screen view = new TerminalIT.Screen();
        TerminalIT.connect(server, chat, view, "?window=claude", "Authorization", "Bearer " + token);
        assertThat(view.closed.get(10, TimeUnit.SECONDS)).startsWith("4400").contains("chat mode");
    }
}
