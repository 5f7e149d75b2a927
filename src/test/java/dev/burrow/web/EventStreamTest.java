package dev.burrow.web;

import org.junit.jupiter.api.Test;

import java.util.concurrent.LinkedBlockingQueue;

import static org.assertj.core.api.Assertions.assertThat;

class EventStreamTest {
    @Test
    void aClientThatFallsBehindHoldsAtMostTheBacklogThenCatchesUpFromTheStore() {
        var live = new LinkedBlockingQueue<Object>(EventStream.BACKLOG);
        for (int i = 0; i < EventStream.BACKLOG; i++) EventStream.queue(live, i);
        assertThat(live).hasSize(EventStream.BACKLOG);
        EventStream.queue(live, "one too many");
        assertThat(live).containsExactly(EventStream.BEHIND);
        EventStream.queue(live, "next");
        assertThat(live).containsExactly(EventStream.BEHIND, "next");
    }
}
