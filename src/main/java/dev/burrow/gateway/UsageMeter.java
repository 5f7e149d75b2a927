package dev.burrow.gateway;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the usage out of a Messages API answer while the gateway passes it on: a stream of
 * server-sent events ({@code message_start} carries the input side and the model,
 * {@code message_delta} the output tokens and the stop reason) or one JSON message. Only
 * lines that can carry usage are parsed, so the text deltas cost a byte scan each.
 */
final class UsageMeter {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    // An answer's JSON body, or one event line, beyond this is not measured (it is still passed on whole).
    private static final int MAX_KEPT = 4 * 1024 * 1024;

    private final boolean stream;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private boolean overflow;
    private boolean started;
    private String model = "";
    private long input;
    private long output;
    private long cacheRead;
    private long cacheCreation;
    private String stopReason = "";

    /** {@code stream}: the answer is text/event-stream, else a JSON message. */
    UsageMeter(boolean stream) {
        this.stream = stream;
    }

    void accept(byte[] b, int off, int len) {
        if (!stream) {
            keep(b, off, len);
            return;
        }
        int start = off;
        for (int i = off; i < off + len; i++) {
            if (b[i] == '\n') {
                keep(b, start, i - start);
                line();
                start = i + 1;
            }
        }
        keep(b, start, off + len - start);
    }

    private void keep(byte[] b, int off, int len) {
        if (overflow || len == 0) return;
        if (kept.size() + len > MAX_KEPT) {
            overflow = true;
            kept.reset();
            return;
        }
        kept.write(b, off, len);
    }

    private void line() {
        boolean skip = overflow;
        overflow = false;
        String l = kept.toString(StandardCharsets.UTF_8);
        kept.reset();
        if (skip || !l.startsWith("data:") || !l.contains("\"message_")) return;
        JsonNode event = parse(l.substring(5));
        if (event == null) return;
        switch (event.path("type").asString("")) {
            case "message_start" -> start(event.path("message"));
            case "message_delta" -> {
                JsonNode u = event.path("usage");
                if (u.has("output_tokens")) output = u.path("output_tokens").asLong(output);
                if (u.has("input_tokens")) input = u.path("input_tokens").asLong(input);
                String stop = event.path("delta").path("stop_reason").asString("");
                if (!stop.isEmpty()) stopReason = stop;
            }
            default -> { }
        }
    }

    private void start(JsonNode message) {
        started = true;
        model = message.path("model").asString(model);
        JsonNode u = message.path("usage");
        input = u.path("input_tokens").asLong(0);
        output = u.path("output_tokens").asLong(0);
        cacheRead = u.path("cache_read_input_tokens").asLong(0);
        cacheCreation = u.path("cache_creation_input_tokens").asLong(0);
        String stop = message.path("stop_reason").asString("");
        if (!stop.isEmpty()) stopReason = stop;
    }

    /** What the answer used, once it has been passed on whole; empty when it was not a message. */
    Optional<ModelExchange> result() {
        if (!stream && !overflow && kept.size() > 0) {
            JsonNode message = parse(kept.toString(StandardCharsets.UTF_8));
            if (message != null && "message".equals(message.path("type").asString(""))) start(message);
        }
        if (!started) return Optional.empty();
        return Optional.of(new ModelExchange(model, input, output, cacheRead, cacheCreation, stopReason));
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json.strip());
        } catch (JacksonException e) {
            return null;
        }
    }
}
