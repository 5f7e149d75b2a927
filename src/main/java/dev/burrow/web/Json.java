package dev.burrow.web;

import dev.burrow.session.Session;
import dev.burrow.store.SessionStore;
import dev.burrow.store.StoredEvent;
import io.javalin.http.Context;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.util.RawValue;

/** The API's JSON shapes, in one place. */
final class Json {
    static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private Json() {
    }

    static void send(Context ctx, int status, JsonNode body) {
        ctx.status(status).contentType("application/json").result(body.toString());
    }

    static ObjectNode error(String message) {
        return MAPPER.createObjectNode().put("error", message);
    }

    /** The request body as a JSON object, or a 400 that says so. */
    static JsonNode body(Context ctx) {
        try {
            JsonNode n = MAPPER.readTree(ctx.body());
            if (n == null || !n.isObject()) throw new ApiError(400, "the body must be a JSON object");
            return n;
        } catch (JacksonException e) {
            throw new ApiError(400, "the body is not valid JSON");
        }
    }

    /** A required string field, or a 400 naming it. */
    static String field(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (v == null || !v.isString()) throw new ApiError(400, "\"" + name + "\" is required and must be a string");
        return v.asString();
    }

    static String optionalField(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) return null;
        if (!v.isString()) throw new ApiError(400, "\"" + name + "\" must be a string");
        return v.asString();
    }

    static Boolean optionalBoolean(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) return null;
        if (!v.isBoolean()) throw new ApiError(400, "\"" + name + "\" must be true or false");
        return v.asBoolean();
    }

    static ObjectNode session(Session s) {
        return MAPPER.createObjectNode()
                .put("id", s.id()).put("shortId", s.shortId()).put("state", s.state().label()).put("mode", s.mode().label()).put("gpu", s.gpu())
                .put("network", s.network().label()).put("reason", s.reason())
                .put("repo", s.repo()).put("branch", s.branch()).put("baseBranch", s.baseBranch()).put("baseCommit", s.baseCommit())
                .put("costUsd", s.costUsd()).put("createdAt", s.createdAt().toString()).put("updatedAt", s.updatedAt().toString());
    }

    static ObjectNode session(Session s, List<SessionStore.TurnUsage> turns) {
        ObjectNode n = session(s);
        ArrayNode t = n.putArray("turns");
        for (SessionStore.TurnUsage u : turns) {
            t.addObject().put("seq", u.seq()).put("subtype", u.subtype()).put("isError", u.isError()).put("costUsd", u.costUsd())
                    .put("inputTokens", u.inputTokens()).put("outputTokens", u.outputTokens()).put("durationMs", u.durationMs());
        }
        return n;
    }

    /** What the session's model gateway saw pass, under "gateway": the figures the container cannot forge. */
    static void gatewayUsage(ObjectNode details, dev.burrow.store.ModelUsageStore.Totals g) {
        details.putObject("gateway").put("requests", g.requests()).put("turnEnds", g.turnEnds()).put("inputTokens", g.inputTokens())
                .put("outputTokens", g.outputTokens()).put("cacheReadTokens", g.cacheReadTokens()).put("cacheCreationTokens", g.cacheCreationTokens())
                .put("costUsd", g.costUsd()).put("unpricedAnswers", g.unpriced());
    }

    static ArrayNode sessions(List<Session> list) {
        ArrayNode a = MAPPER.createArrayNode();
        list.forEach(s -> a.add(session(s)));
        return a;
    }

    /**
     * The same as {@link #event}, as text, without parsing the stored JSON again: what is
     * stored is already valid JSON, and an event sent to 50 subscribers is sent 50 times.
     */
    static String eventText(StoredEvent e) {
        return "{\"seq\":" + e.seq() + ",\"type\":" + MAPPER.writeValueAsString(e.event().type()) + ",\"at\":\"" + e.at()
                + "\",\"event\":" + e.event().json() + "}";
    }

    /** An event as the API shows it: its place, its type, when, and what was stored. */
    static ObjectNode event(StoredEvent e) {
        ObjectNode n = MAPPER.createObjectNode().put("seq", e.seq()).put("type", e.event().type()).put("at", e.at().toString());
        // The stored JSON as it is: never read into a tree, so neither a long transcript nor a
        // line of millions of tokens costs more than its text, and nothing stored fails the call.
        n.putRawValue("event", new RawValue(e.event().json()));
        return n;
    }
}
