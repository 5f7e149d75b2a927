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

    @Test
    void chatPromptsOpenTurnsAndResultsCloseThem() {
        TurnBook book = TurnBook.fresh();
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
        TurnBook book = TurnBook.fresh();
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
    void replayingTheLogGivesTheSameCountAsLive() {
        List<AgentEvent> events = List.of(EventParser.prompt("a"), RESULT, EventParser.prompt("b"), EventParser.notice("info", "x"));
        TurnBook live = TurnBook.fresh();
        events.forEach(live::record);
        TurnBook replayed = TurnBook.replay(events);
        assertThat(replayed.open()).isEqualTo(live.open()).isEqualTo(1);
    }

    @Test
    void turnEndsAndStartsAreNamed() {
        assertThat(TurnBook.endsTurn(RESULT)).isTrue();
        assertThat(TurnBook.endsTurn(HOOK_STOP)).isTrue();
        assertThat(TurnBook.endsTurn(HOOK_NOTIFICATION)).isTrue();
        assertThat(TurnBook.endsTurn(HOOK_PROMPT)).isFalse();
        assertThat(TurnBook.startsTurn(HOOK_PROMPT)).isTrue();
        assertThat(TurnBook.startsTurn(EventParser.prompt("chat prompts are counted, not hooks"))).isFalse();
    }
}
