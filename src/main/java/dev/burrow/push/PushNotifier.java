package dev.burrow.push;

import dev.burrow.agent.AgentEvent;
import dev.burrow.session.Session;
import dev.burrow.session.SessionManager;
import dev.burrow.session.SessionMode;
import dev.burrow.session.SessionState;
import dev.burrow.store.PushStore;
import dev.burrow.store.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends a push to every device that asked for them when a session's turn ends, when Claude
 * needs the user (terminal mode's Notification hook) and when a session fails.
 *
 * <p>What comes from the container is the agent's to forge: in terminal mode every turn's end
 * and every "needs input" is a hook line the container wrote. Such pushes say so in their text
 * ("from the session's hook") and a session gets at most one per {@link #HOOK_GAP}; the rest
 * are dropped, so a hostile agent cannot keep a phone buzzing. Chat turns end by Burrow's own
 * count (a turn the user opened), and failures are Burrow's own observation.
 *
 * <p>Listeners run on the thread that recorded the event: this one only decides, and sends on
 * a thread of its own.
 */
public final class PushNotifier implements SessionManager.Listener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PushNotifier.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The least time between two pushes of one session that came from its hook lines. */
    public static final Duration HOOK_GAP = Duration.ofSeconds(30);
    static final int MAX_TEXT = 180;

    /** What a push says; {@code fromHook} when the container's hook lines caused it. */
    public record Message(String sessionId, String title, String body, boolean fromHook, PushSender.Urgency urgency) {
        String url() {
            return "/sessions/" + sessionId;
        }

        byte[] payload() {
            var node = JSON.createObjectNode().put("title", title).put("body", body).put("url", url()).put("tag", "burrow-" + sessionId)
                    .put("from", fromHook ? "hook" : "burrow");
            return node.toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    private final PushStore store;
    private final PushSender sender;
    private final Function<String, String> titles;
    private final Clock clock;
    private final ExecutorService sending = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, SessionState> lastState = new ConcurrentHashMap<>();
    private final Map<String, String> lastResult = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastHookPush = new ConcurrentHashMap<>();
    private final Map<String, SessionMode> modes = new ConcurrentHashMap<>();

    /** {@code titles}: a session's title (its first prompt, shortened) by id, or null. */
    public PushNotifier(PushStore store, PushSender sender, Function<String, String> titles, Clock clock) {
        this.store = Objects.requireNonNull(store);
        this.sender = Objects.requireNonNull(sender);
        this.titles = Objects.requireNonNull(titles);
        this.clock = Objects.requireNonNull(clock);
    }

    @Override
    public void onEvent(StoredEvent stored) {
        AgentEvent e = stored.event();
        if (e instanceof AgentEvent.Unread u) {
            // Only the two kinds read here are parsed; the rest pass by unread.
            if (!u.type().equals("result") && !u.type().equals("burrow_hook")) return;
            e = stored.read().event();
        }
        if (e instanceof AgentEvent.TurnResult r) {
            lastResult.put(stored.sessionId(), r.text() == null ? "" : r.text());
        } else if (e instanceof AgentEvent.TerminalHook h && h.hook().equals(AgentEvent.TerminalHook.NOTIFICATION)
                && modes.get(stored.sessionId()) == SessionMode.TERMINAL) {
            // Hooks report in terminal mode only: in a chat session such a line is the agent's forgery.
            String text = h.text() == null || h.text().isBlank() ? "Claude needs your input" : h.text();
            offer(new Message(stored.sessionId(), heading(stored.sessionId(), "needs you"), "From the session's hook: " + cut(text), true,
                    PushSender.Urgency.HIGH));
        }
    }

    @Override
    public void onState(Session s) {
        SessionState before = lastState.put(s.id(), s.state());
        modes.put(s.id(), s.mode());
        if (s.state() == SessionState.DELETED) {
            forget(s.id());
            return;
        }
        if (before == s.state()) return;
        if (s.state() == SessionState.FAILED) {
            offer(new Message(s.id(), heading(s.id(), "failed"), cut(s.reason() == null ? "the session failed" : s.reason()), false,
                    PushSender.Urgency.HIGH));
        } else if (before == SessionState.RUNNING && s.state() == SessionState.IDLE) {
            if (s.mode() == SessionMode.TERMINAL) {
                // The turn's end came from the Stop hook, which the container writes.
                offer(new Message(s.id(), heading(s.id(), "finished its turn"), "From the session's hook: Claude is waiting for you", true,
                        PushSender.Urgency.NORMAL));
            } else {
                String said = lastResult.getOrDefault(s.id(), "").strip();
                boolean asks = said.endsWith("?");
                // Claude's words are the agent's: they are marked as its, never Burrow's own.
                offer(new Message(s.id(), heading(s.id(), asks ? "asks you" : "finished its turn"),
                        said.isEmpty() ? "Claude is waiting for you" : "Claude: " + cut(lastParagraph(said)), false,
                        asks ? PushSender.Urgency.HIGH : PushSender.Urgency.NORMAL));
            }
        }
    }

    /** Sends unless it is a hook's push within {@link #HOOK_GAP} of the session's last one. */
    void offer(Message m) {
        if (m.fromHook()) {
            Instant now = clock.instant();
            boolean[] allowed = {false};
            lastHookPush.compute(m.sessionId(), (k, last) -> {
                if (last != null && last.plus(HOOK_GAP).isAfter(now)) return last;
                allowed[0] = true;
                return now;
            });
            if (!allowed[0]) {
                LOG.debug("session {}: a push from its hook dropped (at most one per {} s)", m.sessionId(), HOOK_GAP.toSeconds());
                return;
            }
        }
        sending.execute(() -> deliver(m));
    }

    private void deliver(Message m) {
        byte[] payload = m.payload();
        Duration ttl = m.urgency() == PushSender.Urgency.HIGH ? Duration.ofDays(1) : Duration.ofHours(12);
        for (PushStore.Device d : store.all()) {
            PushSender.Subscription sub;
            try {
                sub = PushSender.Subscription.parse(d.endpoint(), d.p256dh(), d.auth());
            } catch (IllegalArgumentException e) {
                LOG.warn("push subscription {} is unusable and is removed: {}", d.id(), e.getMessage());
                store.remove(d.id());
                continue;
            }
            switch (sender.send(sub, payload, ttl, m.urgency())) {
                case PushSender.Outcome.Delivered ok -> store.pushed(d.id(), clock.instant());
                case PushSender.Outcome.Gone gone -> {
                    LOG.info("push subscription {} ({}) is gone ({}): removed", d.id(), d.device(), gone.status());
                    store.remove(d.id());
                }
                case PushSender.Outcome.Failed f -> LOG.warn("push to {} ({}) failed: {}", d.id(), d.device(), f.reason());
            }
        }
    }

    private String heading(String sessionId, String what) {
        String title = titles.apply(sessionId);
        return (title == null || title.isBlank() ? "Session " + sessionId.substring(0, Math.min(8, sessionId.length())) : title) + ": " + what;
    }

    private static String lastParagraph(String text) {
        String[] parts = text.split("\n\\s*\n");
        return parts[parts.length - 1].strip();
    }

    static String cut(String s) {
        // Invisible format characters (direction controls, zero-width ones) could make the text read
        // as something else than what it is; line and paragraph separators become spaces.
        String one = s.replaceAll("[\\p{Cf}]", "").replaceAll("[\\s\\u2028\\u2029]+", " ").strip();
        return one.length() > MAX_TEXT ? one.substring(0, MAX_TEXT - 1) + "…" : one;
    }

    private void forget(String sessionId) {
        lastState.remove(sessionId);
        lastResult.remove(sessionId);
        lastHookPush.remove(sessionId);
        modes.remove(sessionId);
    }

    @Override
    public void close() {
        sending.shutdown();
        try {
            if (!sending.awaitTermination(5, TimeUnit.SECONDS)) sending.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
