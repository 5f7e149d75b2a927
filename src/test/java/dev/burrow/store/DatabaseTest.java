package dev.burrow.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.agent.AgentEvent;
import dev.burrow.agent.EventParser;
import dev.burrow.session.Session;
import dev.burrow.session.SessionState;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {
    @TempDir
    Path tmp;

    @Test
    void latestMigrationMatchesTheMigrationFiles() throws Exception {
        Path dir = Path.of(DatabaseTest.class.getResource("/db/migration").toURI());
        int highest = 0;
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Matcher m = Pattern.compile("V(\\d+)__.*\\.sql").matcher(f.getFileName().toString());
                if (m.matches()) highest = Math.max(highest, Integer.parseInt(m.group(1)));
            }
        }
        assertThat(Database.LATEST_MIGRATION).isEqualTo(highest);
    }

    @Test
    void eventsGetGaplessSequenceNumbersPerSessionAndSurviveReopening() throws URISyntaxException {
        Path file = tmp.resolve("b.db");
        try (Database db = new Database(file)) {
            SessionStore store = new SessionStore(db);
            for (String id : List.of("s1", "s2")) {
                store.insert(Session.builder(id, tmp).repo("/r", tmp).base(null, "c").build());
            }
            store.append("s1", EventParser.prompt("a"), -1);
            store.append("s2", EventParser.prompt("b"), -1);
            store.append("s1", EventParser.parse("{\"type\":\"result\",\"total_cost_usd\":0.5,\"usage\":{\"input_tokens\":3}}"), 120);
        }
        try (Database db = new Database(file)) {
            SessionStore store = new SessionStore(db);
            assertThat(store.events("s1", 0)).extracting(StoredEvent::seq).containsExactly(1L, 2L);
            assertThat(store.events("s1", 1)).singleElement().extracting(StoredEvent::event).isInstanceOf(AgentEvent.TurnResult.class);
            assertThat(store.events("s2", 0)).extracting(StoredEvent::seq).containsExactly(1L);
            Session s1 = store.find("s1").orElseThrow();
            assertThat(s1.outOffset()).isEqualTo(120);
            assertThat(s1.costUsd()).isEqualTo(0.5);
            assertThat(store.turns("s1")).singleElement().satisfies(t -> assertThat(t.inputTokens()).isEqualTo(3));
        }
    }

    @Test
    void anEventWaitsForAnotherProcessHoldingTheWriteLockInsteadOfFailing() throws Exception {
        Path file = tmp.resolve("busy.db");
        try (Database db = new Database(file)) {
            SessionStore store = new SessionStore(db);
            store.insert(Session.builder("s1", tmp).repo("/r", tmp).base(null, "c").build());
            store.append("s1", EventParser.prompt("before"), -1);
            try (var other = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file); var st = other.createStatement()) {
                st.execute("BEGIN IMMEDIATE");
                var appended = java.util.concurrent.CompletableFuture.supplyAsync(() -> store.append("s1", EventParser.prompt("during"), -1));
                Thread.sleep(1_500);
                assertThat(appended).as("waiting for the lock").isNotDone();
                st.execute("COMMIT");
                assertThat(appended.get().seq()).isEqualTo(2L);
            }
            assertThat(store.events("s1", 0)).extracting(StoredEvent::seq).containsExactly(1L, 2L);
        }
    }

    @Test
    void aTransitionHappensOnlyFromTheStateItNamesAndTouchesNoOtherColumn() {
        try (Database db = new Database(tmp.resolve("t.db"))) {
            SessionStore store = new SessionStore(db);
            store.insert(Session.builder("s1", tmp).repo("/r", tmp).base(null, "c").conversation("burrows-own").build());
            store.setContainer("s1", "container-1");
            assertThat(store.transition("s1", SessionState.CREATING, SessionState.RUNNING, null)).isTrue();
            // A stale copy (still thinking CREATING) cannot move it again.
            assertThat(store.transition("s1", SessionState.CREATING, SessionState.FAILED, "stale")).isFalse();
            store.append("s1", EventParser.parse("{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"conv\"}"), 10);
            assertThat(store.transition("s1", SessionState.RUNNING, SessionState.IDLE, null)).isTrue();
            Session s = store.find("s1").orElseThrow();
            assertThat(s.state()).isEqualTo(SessionState.IDLE);
            assertThat(s.containerId()).isEqualTo("container-1");
            assertThat(s.claudeSessionId()).as("Burrow's own conversation id, not the one a line reported").isEqualTo("burrows-own");
            assertThat(s.outOffset()).isEqualTo(10);
        }
    }
}
