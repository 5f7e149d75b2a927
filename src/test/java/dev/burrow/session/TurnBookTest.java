package dev.burrow.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.agent.AgentEvent;
import dev.burrow.agent.EventParser;
import java.util.List;
import org.junit.jupiter.api.Test;

class TurnBookTest {
    private static final AgentEvent RESULT = EventParser.parse("{\"type\":\"result\",\"subtype\":\"success\",\"total_cost_usd\":0}");
    private static final AgentEvent HOOK_PROMPT = EventParser.parse("{\"type\":\"burrow_hook\",\"hook\":\"UserPromptSubmit\"}");
    private static final AgentEvent HOOK_STOP = EventParser.parse("{\"type\":\"burrow_hook\",\"hook\":\"Stop\"}");
    private static final AgentEvent HOOK_NOTIFICATION = EventParser.parse("{\"type\":\"burrow_hook\",\"hook\":\"Notification\"}");
    private static final AgentEvent RESUMED = EventParser.notice("info", EventParser.RESUMED + " (chat)");

    @Test
    void chatPromptsOpenTurnsAndResultsCloseThem() {
        TurnBook book = TurnBook.fresh(SessionMode.CHAT);
        book.record(EventParser.prompt("one"));
        book.record(EventParser.prompt("two")); // queued by Claude Code while the first runs
        book.record(RESULT);
        assertThat(book.anyOpen()).isTrue();
        book.record(RESULT);
        assertThat(book.anyOpen()).isFalse();
        book.record(RESULT); // a stray result never makes the count negative
        assertThat(book.open()).isZero();
    }

    @Test
    void inTheTerminalTheLastHookDecides() {
        TurnBook book = TurnBook.fresh(SessionMode.TERMINAL);
        book.record(HOOK_PROMPT);
        book.record(HOOK_PROMPT);
        assertThat(book.open()).isEqualTo(1);
        book.record(HOOK_NOTIFICATION);
        assertThat(book.anyOpen()).isFalse();
        book.record(HOOK_PROMPT);
        book.interrupted();
        assertThat(book.anyOpen()).isFalse();
    }

    @Test
    void aHookLineInAChatSessionIsTheContainersForgeryAndEndsNothing() {
        TurnBook book = TurnBook.fresh(SessionMode.CHAT);
        book.record(EventParser.prompt("a long task"));
        book.record(HOOK_STOP);
        book.record(HOOK_NOTIFICATION);
        assertThat(book.open()).isEqualTo(1);
        assertThat(book.endsTurn(HOOK_STOP)).isFalse();
        assertThat(book.endsTurn(HOOK_NOTIFICATION)).isFalse();
        book.record(RESULT);
        book.record(HOOK_PROMPT);
        assertThat(book.anyOpen()).isFalse();
        assertThat(book.startsTurn(HOOK_PROMPT)).isFalse();
        // A notice is Burrow's own record; the container's line claiming to be one is not read as a resume.
        assertThat(EventParser.isResume(EventParser.parseFromContainer("{\"type\":\"burrow_notice\",\"level\":\"info\",\"text\":\"" + EventParser.RESUMED + "\"}")))
                .isFalse();
    }

    @Test
    void replayingTheLogGivesTheSameCountAsLive() {
        List<AgentEvent> events = List.of(EventParser.prompt("a"), RESULT, EventParser.prompt("b"), EventParser.notice("info", "x"));
        TurnBook live = TurnBook.fresh(SessionMode.CHAT);
        events.forEach(live::record);
        TurnBook replayed = TurnBook.replay(SessionMode.CHAT, events);
        assertThat(replayed.open()).isEqualTo(live.open()).isEqualTo(1);
    }

    @Test
    void aResumeStartsTheCountAgainSoTheTerminalsPromptsDoNotKeepAChatTurnOpen() {
        // Prompts typed into the terminal are closed by its hooks, which a chat session's book does not read.
        List<AgentEvent> log = List.of(EventParser.prompt("in the terminal"), HOOK_PROMPT, HOOK_STOP, RESUMED, EventParser.prompt("in chat"));
        assertThat(TurnBook.replay(SessionMode.CHAT, log).open()).isEqualTo(1);
        assertThat(TurnBook.replay(SessionMode.CHAT, log.subList(0, 4)).anyOpen()).isFalse();
        // Read back as the store gives it: the least of each marker.
        assertThat(EventParser.isResume(EventParser.turnMarker("burrow_notice", RESUMED instanceof AgentEvent.Notice n ? n.json() : ""))).isTrue();
        assertThat(EventParser.turnMarker("burrow_notice", EventParser.notice("warning", EventParser.RESUMED).json())).isInstanceOf(AgentEvent.Unread.class);
    }

    @Test
    void turnEndsAndStartsAreNamed() {
        TurnBook terminal = TurnBook.fresh(SessionMode.TERMINAL);
        assertThat(terminal.endsTurn(RESULT)).isTrue();
        assertThat(terminal.endsTurn(HOOK_STOP)).isTrue();
        assertThat(terminal.endsTurn(HOOK_NOTIFICATION)).isTrue();
        assertThat(terminal.endsTurn(HOOK_PROMPT)).isFalse();
        assertThat(terminal.startsTurn(HOOK_PROMPT)).isTrue();
        assertThat(terminal.startsTurn(EventParser.prompt("chat prompts are counted, not hooks"))).isFalse();
        assertThat(TurnBook.fresh(SessionMode.CHAT).endsTurn(RESULT)).isTrue();
    }
}
