package dev.burrow.web;

import dev.burrow.Burrow;
import dev.burrow.session.Session;
import dev.burrow.session.SessionException;
import dev.burrow.store.StoredEvent;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.List;
import java.util.Objects;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The HTTP server on the session engine. This first version is read-only (session list, one
 * session, its events) and binds to loopback unless told otherwise; logins, actions and the
 * live pages come with the web app.
 */
public final class WebServer implements AutoCloseable {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private final Javalin app;

    private WebServer(Javalin app) {
        this.app = app;
    }

    public static WebServer start(Burrow burrow, String bind, int port) {
        Objects.requireNonNull(burrow);
        Javalin app = Javalin.create(cfg -> {
            cfg.concurrency.useVirtualThreads = true;
            cfg.routes.get("/healthz", ctx -> ctx.result("ok"));
            cfg.routes.get("/api/sessions", ctx -> json(ctx, sessions(burrow.sessions().list())));
            cfg.routes.get("/api/sessions/{id}", ctx -> json(ctx, session(burrow.sessions().get(ctx.pathParam("id")))));
            cfg.routes.get("/api/sessions/{id}/events", ctx -> {
                long after = Long.parseLong(Objects.requireNonNullElse(ctx.queryParam("after"), "0"));
                json(ctx, events(burrow.sessions().events(ctx.pathParam("id"), after)));
            });
            cfg.routes.exception(SessionException.class, (e, ctx) -> {
                int status = switch (e.kind()) {
                    case BAD_INPUT -> 400;
                    case NOT_FOUND -> 404;
                    case CONFLICT -> 409;
                    case TOO_LARGE -> 413;
                    case UNAVAILABLE -> 503;
                };
                ctx.status(status);
                json(ctx, JSON.createObjectNode().put("error", e.getMessage()));
            });
            cfg.routes.exception(NumberFormatException.class, (e, ctx) -> {
                ctx.status(400);
                json(ctx, JSON.createObjectNode().put("error", "after must be a number"));
            });
        });
        app.start(bind, port);
        return new WebServer(app);
    }

    public int port() {
        return app.port();
    }

    private static void json(Context ctx, Object node) {
        ctx.contentType("application/json").result(node.toString());
    }

    static ObjectNode session(Session s) {
        ObjectNode n = JSON.createObjectNode()
                .put("id", s.id()).put("shortId", s.shortId()).put("state", s.state().label()).put("reason", s.reason())
                .put("repo", s.repo()).put("branch", s.branch()).put("baseBranch", s.baseBranch()).put("baseCommit", s.baseCommit())
                .put("costUsd", s.costUsd()).put("createdAt", s.createdAt().toString()).put("updatedAt", s.updatedAt().toString());
        return n;
    }

    private static ArrayNode sessions(List<Session> list) {
        ArrayNode a = JSON.createArrayNode();
        list.forEach(s -> a.add(session(s)));
        return a;
    }

    private static ArrayNode events(List<StoredEvent> list) {
        ArrayNode a = JSON.createArrayNode();
        for (StoredEvent e : list) {
            ObjectNode n = JSON.createObjectNode().put("seq", e.seq()).put("type", e.event().type()).put("at", e.at().toString());
            n.set("event", JSON.readTree(e.event().json()));
            a.add(n);
        }
        return a;
    }

    @Override
    public void close() {
        app.stop();
    }
}
