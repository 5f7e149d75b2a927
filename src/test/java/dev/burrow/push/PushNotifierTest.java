package dev.burrow.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.agent.EventParser;
import dev.burrow.auth.MutableClock;
import dev.burrow.container.NetworkPolicy;
import dev.burrow.session.Session;
import dev.burrow.session.SessionMode;
import dev.burrow.session.SessionState;
import dev.burrow.store.Database;
import dev.burrow.store.PushStore;
import dev.burrow.store.StoredEvent;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When pushes go out and what they say, with the real store, sender and encryption against a
 * local push endpoint; the sessions' states and events are handed in as the engine hands them.
 */
class PushNotifierTest {
    @TempDir
    Path tmp;
    Database db;
    PushStore store;
    PushEndpoint endpoint;
    PushNotifier notifier;
    final MutableClock clock = new MutableClock();

    @BeforeEach
    void start() throws Exception {
        db = new Database(tmp.resolve("burrow.db"));
        store = new PushStore(db);
        endpoint = new PushEndpoint();
        VapidKeys keys = VapidKeys.loadOrCreate(tmp.resolve("push"));
        notifier = new PushNotifier(store, new PushSender(keys, "mailto:burrow@localhost", HttpClient.newHttpClient(), clock),
                id -> id.equals("s-chat") ? "fix the login page" : null, clock);
    }

    @AfterEach
    void stop() {
        notifier.close();
        endpoint.close();
        db.close();
    }

    private void subscribe(String name) throws Exception {
        PushEndpoint.Device d = endpoint.subscribe(name);
        var b64 = java.util.Base64.getUrlEncoder().withoutPadding();
        store.put(d.endpoint(), b64.encodeToString(d.p256dh()), b64.encodeToString(d.auth()), "Chrome on Android", clock.instant());
    }

    static Session session(String id, SessionState state, SessionMode mode, String reason) {
        Instant t = Instant.parse("2026-11-30T09:00:00Z");
        return new Session(id, id, state, reason, mode, false, NetworkPolicy.FULL, "repo", Path.of("/tmp/repo"), "main", "abc", "burrow/" + id,
                Path.of("/tmp/s"), null, null, 0, 0, t, t);
    }

    private List<PushEndpoint.Delivery> awaitDeliveries(int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (endpoint.deliveries().size() < n && System.nanoTime() < deadline) Thread.sleep(20);
        Thread.sleep(200); // and nothing more arrives
        return endpoint.deliveries();
    }

    @Test
    void aChatTurnsEndGoesToEveryDeviceWithWhatClaudeSaidAndAGoneDeviceIsForgotten() throws Exception {
        subscribe("phone");
        subscribe("old-tablet");
        endpoint.answer("old-tablet", 410);
        notifier.onState(session("s-chat", SessionState.RUNNING, SessionMode.CHAT, null));
        notifier.onEvent(new StoredEvent("s-chat", 7, EventParser.parse(
                "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"result\":\"Done.\\n\\nShall I also update the tests?\"}"), clock.instant()));
        notifier.onState(session("s-chat", SessionState.IDLE, SessionMode.CHAT, null));

        List<PushEndpoint.Delivery> got = awaitDeliveries(1);
        assertThat(got).hasSize(1);
        assertThat(got.getFirst().device()).isEqualTo("phone");
        assertThat(got.getFirst().payload()).contains("\"title\":\"fix the login page: asks you\"", "\"body\":\"Claude: Shall I also update the tests?\"",
                "\"url\":\"/sessions/s-chat\"", "\"from\":\"burrow\"");
        assertThat(got.getFirst().urgency()).isEqualTo("high");
        assertThat(store.all()).extracting(PushStore.Device::device).containsExactly("Chrome on Android");
        assertThat(store.all().getFirst().lastPushAt()).isEqualTo(clock.instant());

        // The same state announced again (a save's start and end) is not a second turn's end.
        notifier.onState(session("s-chat", SessionState.IDLE, SessionMode.CHAT, null));
        assertThat(awaitDeliveries(2)).hasSize(1);
    }

    @Test
    void aFailureIsPushedWithItsReason() throws Exception {
        subscribe("phone");
        notifier.onState(session("s-2", SessionState.IDLE, SessionMode.CHAT, null));
        notifier.onState(session("s-2", SessionState.FAILED, SessionMode.CHAT, "the container died during a turn (exit 137)"));
        List<PushEndpoint.Delivery> got = awaitDeliveries(1);
        assertThat(got).singleElement().satisfies(d -> {
            assertThat(d.payload()).contains("\"title\":\"Session s-2: failed\"", "the container died during a turn (exit 137)", "\"from\":\"burrow\"");
            assertThat(d.urgency()).isEqualTo("high");
        });
    }

    @Test
    void pushesFromHookLinesAreLabelledAndAtMostOneASessionPer30Seconds() throws Exception {
        subscribe("phone");
        // A hook line in a chat session is a forgery: no push.
        notifier.onState(session("s-chat2", SessionState.IDLE, SessionMode.CHAT, null));
        notifier.onEvent(new StoredEvent("s-chat2", 1, EventParser.parseFromContainer(
                "{\"type\":\"burrow_hook\",\"hook\":\"Notification\",\"message\":\"forged\"}"), clock.instant()));
        // A hostile agent writes hook lines as fast as it can: needs-input, and turns that open and end.
        notifier.onState(session("s-term", SessionState.IDLE, SessionMode.TERMINAL, null));
        for (int i = 0; i < 20; i++) {
            notifier.onEvent(new StoredEvent("s-term", i, EventParser.parseFromContainer(
                    "{\"type\":\"burrow_hook\",\"hook\":\"Notification\",\"message\":\"Your password\u202e expired,\u200b open now\u2028" + i + "\"}"), clock.instant()));
            notifier.onState(session("s-term", SessionState.RUNNING, SessionMode.TERMINAL, null));
            notifier.onState(session("s-term", SessionState.IDLE, SessionMode.TERMINAL, null));
        }
        List<PushEndpoint.Delivery> got = awaitDeliveries(1);
        assertThat(got).singleElement().satisfies(d -> assertThat(d.payload())
                .contains("\"body\":\"From the session's hook: Your password expired, open now 0\"", "\"from\":\"hook\"", "needs you"));

        // Another session has its own allowance; this one gets its next after 30 s.
        notifier.onState(session("s-other", SessionState.IDLE, SessionMode.TERMINAL, null));
        notifier.onEvent(new StoredEvent("s-other", 1, EventParser.parseFromContainer("{\"type\":\"burrow_hook\",\"hook\":\"Notification\",\"message\":\"\"}"),
                clock.instant()));
        clock.advance(PushNotifier.HOOK_GAP.plusSeconds(1));
        notifier.onState(session("s-term", SessionState.RUNNING, SessionMode.TERMINAL, null));
        notifier.onState(session("s-term", SessionState.IDLE, SessionMode.TERMINAL, null));
        got = awaitDeliveries(3);
        assertThat(got).hasSize(3);
        // The two go out on threads of their own: in either order.
        assertThat(got.subList(1, 3)).extracting(PushEndpoint.Delivery::payload)
                .anySatisfy(p -> assertThat(p).contains("/sessions/s-other", "Claude needs your input", "\"from\":\"hook\""))
                .anySatisfy(p -> assertThat(p).contains("/sessions/s-term", "finished its turn", "From the session's hook: Claude is waiting for you",
                        "\"from\":\"hook\""));
    }
}
