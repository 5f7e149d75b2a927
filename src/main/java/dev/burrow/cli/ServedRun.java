package dev.burrow.cli;

import dev.burrow.agent.AgentEvent;
import dev.burrow.store.StoredEvent;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * `./burrow run` through the server that runs on the same data dir ({@link LocalServe}): the
 * session is made by that server (so it can claim one of its warm containers, and the web shows
 * it live), and this process prints its events from the server's event stream, as a local run
 * would print them from the store.
 */
final class ServedRun {
    // The one mapper of run's talk with the server (LocalServe's file, the request, the answers).
    static final ObjectMapper JSON = new ObjectMapper();
    private final LocalServe serve;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    ServedRun(LocalServe serve) {
        this.serve = serve;
    }

    /** The outcome: the session's last state and its last turn's result, if one ended. */
    record Outcome(String id, String shortId, String branch, String state, String reason, Optional<AgentEvent.TurnResult> lastTurn) {
    }

    /**
     * Asks the server for the session; empty when no server answers there (it has just gone:
     * the caller runs the session itself). A refusal is an IllegalArgumentException with the server's words.
     */
    Optional<ObjectNode> create(ObjectNode request) throws InterruptedException {
        HttpResponse<String> r;
        try {
            r = http.send(authorized("/api/sessions").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(request.toString())).build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
        JsonNode body = parse(r.body());
        if (r.statusCode() != 201) {
            String error = body.path("error").asString("");
            throw new IllegalArgumentException(error.isBlank() ? "the server at " + serve.url() + " answered " + r.statusCode() : error);
        }
        return Optional.of((ObjectNode) body);
    }

    /** Prints the session's events until no turn is running there; returns how it ended. */
    Outcome follow(String id, Transcript transcript) throws IOException, InterruptedException {
        long after = 0;
        // A dropped stream is taken up again from the last event printed, as a browser does; a few times in a row at most.
        for (int attempt = 0; ; attempt++) {
            if (attempt > 0) Thread.sleep(500);
            HttpResponse<Stream<String>> r;
            try {
                r = http.send(authorized("/api/sessions/" + id + "/events?after=" + after).header("Accept", "text/event-stream").GET().build(),
                        HttpResponse.BodyHandlers.ofLines());
            } catch (IOException e) {
                if (attempt >= 5) throw new IOException("lost the server at " + serve.url() + " (the session goes on there: ./burrow resume "
                        + id.substring(0, 8) + "): " + e.getMessage(), e);
                continue;
            }
            if (r.statusCode() != 200) throw new IOException("the server at " + serve.url() + " answered " + r.statusCode() + " for the session's events");
            Following f = new Following(id, transcript, after);
            try (Stream<String> lines = r.body()) {
                Outcome o = f.read(lines);
                if (o != null) return o;
            } catch (RuntimeException e) {
                // the stream broke: again from the last event
            }
            if (f.last > after) attempt = 0; // it moved on: not a failing server
            after = f.last;
            if (attempt >= 5) throw new IOException("the server at " + serve.url() + " keeps ending the session's event stream");
        }
    }

    /** One event stream, read line by line (SSE: "event:", "data:", a blank line ends each). */
    private static final class Following {
        private final String id;
        private final Transcript transcript;
        private long last;
        private String kind = "";
        private AgentEvent.TurnResult lastTurn;

        Following(String id, Transcript transcript, long after) {
            this.id = id;
            this.transcript = transcript;
            this.last = after;
        }

        Outcome read(Stream<String> lines) {
            for (var it = lines.iterator(); it.hasNext(); ) {
                String line = it.next();
                if (line.startsWith("event: ")) {
                    kind = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    JsonNode data = parse(line.substring(6));
                    if (kind.equals("event")) event(data);
                    else if (kind.equals("state")) {
                        String state = data.path("state").asString("");
                        if (!state.equals("creating") && !state.equals("running")) {
                            return new Outcome(id, data.path("shortId").asString(""), data.path("branch").asString(""), state,
                                    data.path("reason").isNull() ? null : data.path("reason").asString(null), Optional.ofNullable(lastTurn));
                        }
                    }
                } else if (line.isEmpty()) {
                    kind = "";
                }
            }
            return null;
        }

        private void event(JsonNode data) {
            long seq = data.path("seq").asLong(-1);
            if (seq <= last) return;
            StoredEvent e = new StoredEvent(id, seq, new AgentEvent.Unread(data.path("type").asString(""), data.path("event").toString()), Instant.parse(data.path("at").asString())).read();
            if (e.event() instanceof AgentEvent.TurnResult r) lastTurn = r;
            transcript.print(e);
            last = seq;
        }
    }

    private HttpRequest.Builder authorized(String path) {
        return HttpRequest.newBuilder(URI.create(serve.url() + path)).header("Authorization", "Bearer " + serve.token());
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (RuntimeException e) {
            return JSON.createObjectNode();
        }
    }
}
