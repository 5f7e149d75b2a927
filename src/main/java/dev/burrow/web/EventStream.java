package dev.burrow.web;

import dev.burrow.session.Session;
import dev.burrow.session.SessionManager;
import dev.burrow.store.StoredEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import io.javalin.http.sse.SseClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's stream of a session's events: first everything after the client's last seen
 * sequence number, from the store, then live. The listener is subscribed before the replay
 * is read, and every event is sent only if it is the next one after the last sent, so the
 * hand-over from replay to live has neither a gap nor a duplicate. Each event's SSE id is its
 * sequence number; state changes go as "state" events without an id. One instance serves all
 * of a server's streams, so that closing the server ends every one of them first.
 */
final class EventStream {
    private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);
    private static final long KEEPALIVE_SECONDS = 15;
    private static final Object END = new Object();

    private final SessionManager sessions;
    private final Set<BlockingQueue<Object>> open = ConcurrentHashMap.newKeySet();

    EventStream(SessionManager sessions) {
        this.sessions = sessions;
    }

    /** Streams until the client goes away or the server closes; {@code render} turns an event into the data sent. */
    void stream(SseClient client, String sessionId, long after, Function<StoredEvent, String> render, Function<Session, String> renderState) {
        // Bounded: a client that falls behind (a slow phone link) holds at most BACKLOG events
        // here; past that they are dropped and it catches up from the store, a page at a time.
        BlockingQueue<Object> live = new LinkedBlockingQueue<>(BACKLOG);
        open.add(live);
        Runnable unsubscribe = sessions.subscribe(new SessionManager.Listener() {
            public void onEvent(StoredEvent e) {
                if (e.sessionId().equals(sessionId)) queue(live, e);
            }

            public void onState(Session s) {
                if (s.id().equals(sessionId)) queue(live, s);
            }
        });
        client.onClose(() -> end(live));
        try {
            long last = catchUp(client, sessionId, after, render);
            client.sendEvent("state", renderState.apply(sessions.get(sessionId)));
            while (!client.terminated()) {
                Object next = live.poll(KEEPALIVE_SECONDS, TimeUnit.SECONDS);
                if (next == END) break;
                if (next == null) {
                    client.sendComment("keep-alive");
                    // Events another Burrow process stored (a CLI following this session) reach us only here.
                    last = catchUp(client, sessionId, last, render);
                } else if (next instanceof StoredEvent e) {
                    if (e.seq() == last + 1) last = send(client, List.of(e), last, render);
                    else if (e.seq() > last) last = catchUp(client, sessionId, last, render);
                } else if (next instanceof Session s) {
                    client.sendEvent("state", renderState.apply(s));
                } else if (next == BEHIND) {
                    last = catchUp(client, sessionId, last, render);
                    client.sendEvent("state", renderState.apply(sessions.get(sessionId)));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // The client went away or Burrow is shutting down: the browser reconnects from its last event.
            // Nothing may escape: Javalin cannot answer an exception once the response is gone.
            LOG.debug("event stream of {} ended: {}", sessionId, e.toString());
        } finally {
            open.remove(live);
            unsubscribe.run();
        }
    }

    /** Adds to a client's queue; a full queue is emptied for one mark that says to catch up from the store. */
    static void queue(BlockingQueue<Object> live, Object item) {
        if (live.offer(item)) return;
        live.clear();
        live.offer(BEHIND);
    }

    /** Ends a stream: what it had waiting no longer matters. */
    private static void end(BlockingQueue<Object> live) {
        live.clear();
        live.offer(END);
    }

    /** Events one client may have waiting before it catches up from the store instead. */
    static final int BACKLOG = 1024;
    static final Object BEHIND = new Object();

    /** Ends every open stream and waits (a little) until they have let go of their requests. */
    void closeAll() {
        open.forEach(EventStream::end);
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Sends every stored event after {@code last}, a page at a time, so that a long transcript is never all in memory. */
    private long catchUp(SseClient client, String sessionId, long last, Function<StoredEvent, String> render) {
        while (!client.terminated()) {
            List<StoredEvent> page = sessions.eventPage(sessionId, last, REPLAY_PAGE);
            if (page.isEmpty()) break;
            last = send(client, page, last, render);
        }
        return last;
    }

    private static final int REPLAY_PAGE = 500;

    private static long send(SseClient client, List<StoredEvent> events, long last, Function<StoredEvent, String> render) {
        StringBuilder batch = new StringBuilder();
        for (StoredEvent e : events) {
            if (e.seq() <= last) continue;
            // The data is one line of JSON, so it needs no splitting into several data: lines.
            batch.append("id: ").append(e.seq()).append("\nevent: event\ndata: ").append(render.apply(e)).append("\n\n");
            last = e.seq();
        }
        if (!batch.isEmpty()) write(client, batch.toString());
        return last;
    }

    /**
     * Writes events straight to the response, in one write and one flush: Javalin's own
     * sendEvent reads the data back through a reader per event, which with fifty subscribers
     * to one session is most of the cost of a delivery.
     */
    private static void write(SseClient client, String text) {
        try {
            var out = client.ctx().res().getOutputStream();
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            client.close(); // the client went away; the loop sees terminated() and ends
        }
    }

    /** The client's last seen sequence number: Last-Event-ID on reconnect, else ?after=N, else 0. */
    static long after(String lastEventId, String afterParam) {
        String v = lastEventId != null && !lastEventId.isBlank() ? lastEventId : afterParam;
        if (v == null || v.isBlank()) return 0;
        try {
            return Math.max(0, Long.parseLong(v.strip()));
        } catch (NumberFormatException e) {
            throw new ApiError(400, "Last-Event-ID or after must be a sequence number");
        }
    }
}
