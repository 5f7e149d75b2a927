package dev.burrow.web;

import dev.burrow.auth.Authenticator;
import dev.burrow.container.NetworkPolicy;
import dev.burrow.session.NewSession;
import dev.burrow.session.Session;
import dev.burrow.session.SessionMode;
import dev.burrow.session.SessionManager;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseHandler;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/** The JSON API under /api, the same one the pages use. */
final class ApiRoutes {
    private final SessionManager sessions;
    private final Authenticator auth;
    private final LoginFlow logins;
    private final EventStream streams;

    ApiRoutes(SessionManager sessions, Authenticator auth, LoginFlow logins, EventStream streams) {
        this.streams = streams;
        this.sessions = sessions;
        this.auth = auth;
        this.logins = logins;
    }

    void register(JavalinConfig cfg) {
        cfg.routes.post("/api/login", this::login);
        cfg.routes.post("/api/logout", this::logout);
        cfg.routes.get("/api/sessions", ctx -> Json.send(ctx, 200, Json.sessions(sessions.list())));
        // 503 with the line while the runner image builds (or could not be built): sessions asked for wait, resumes are refused.
        cfg.routes.get("/api/health", ctx -> sessions.imageBuild().ifPresentOrElse(line -> {
            throw new ApiError(503, line);
        }, () -> Json.send(ctx, 200, Json.MAPPER.createObjectNode().put("ok", true))));
        cfg.routes.post("/api/sessions", this::create);
        cfg.routes.get("/api/sessions/{id}", ctx -> {
            Session s = sessions.get(ctx.pathParam("id"));
            var details = Json.session(s, sessions.turns(s.id())).put("saving", sessions.saving(s.id()));
            Json.gatewayUsage(details, sessions.modelUsage(s.id()));
            var limits = details.putObject("limits");
            limits.put("memory", sessions.limits().memory()).put("cpus", sessions.limits().cpus()).put("pids", sessions.limits().pids());
            details.put("pullRequest", sessions.publisher().pullRequest(s.id()).orElse(null));
            Json.send(ctx, 200, details);
        });
        cfg.routes.post("/api/sessions/{id}/push", ctx -> {
            var pushed = sessions.publisher().push(ctx.pathParam("id"));
            Json.send(ctx, 200, Json.MAPPER.createObjectNode().put("branch", pushed.branch()).put("remote", pushed.remote()));
        });
        cfg.routes.post("/api/sessions/{id}/pull-request", ctx -> {
            JsonNode body = ctx.body().isBlank() ? Json.MAPPER.createObjectNode() : Json.body(ctx);
            String url = sessions.publisher().openPullRequest(ctx.pathParam("id"), Json.optionalField(body, "title"), Json.optionalField(body, "body"));
            Json.send(ctx, 201, Json.MAPPER.createObjectNode().put("url", url));
        });
        cfg.routes.post("/api/sessions/{id}/messages", ctx -> {
            String text = Json.field(Json.body(ctx), "text");
            Json.send(ctx, 202, Json.session(sessions.send(ctx.pathParam("id"), text)));
        });
        cfg.routes.post("/api/sessions/{id}/interrupt", ctx -> {
            sessions.interrupt(ctx.pathParam("id"));
            Json.send(ctx, 202, Json.session(sessions.get(ctx.pathParam("id"))));
        });
        cfg.routes.post("/api/sessions/{id}/environment/rebuild", ctx -> Json.send(ctx, 200,
                Json.MAPPER.createObjectNode().put("message", sessions.rebuildEnvironment(ctx.pathParam("id")))));
        cfg.routes.post("/api/sessions/{id}/stop", ctx -> Json.send(ctx, 200, Json.session(sessions.stop(ctx.pathParam("id")))));
        cfg.routes.post("/api/sessions/{id}/mode", ctx -> {
            SessionMode mode = SessionMode.parse(Json.field(Json.body(ctx), "mode"));
            Json.send(ctx, 200, Json.session(sessions.switchMode(ctx.pathParam("id"), mode, p -> { })));
        });
        cfg.routes.post("/api/sessions/{id}/resume", ctx -> Json.send(ctx, 200, Json.session(sessions.resume(ctx.pathParam("id"), null, p -> { }))));
        cfg.routes.delete("/api/sessions/{id}", ctx -> {
            sessions.delete(ctx.pathParam("id"));
            ctx.status(204);
        });
        cfg.routes.get("/api/sessions/{id}/diff", ctx -> {
            String id = ctx.pathParam("id");
            var body = Json.MAPPER.createObjectNode().put("branch", sessions.get(id).branch()).put("diff", sessions.diff(id));
            // All of the work as of the last save, committed and uncommitted, file by file.
            dev.burrow.workspace.Changes changes = sessions.changes(id);
            body.put("savedAt", changes.savedAt().map(Object::toString).orElse(null)).put("cut", changes.cut());
            ArrayNode files = body.putArray("files");
            for (dev.burrow.workspace.Changes.FileChange f : changes.files()) {
                files.addObject().put("path", f.path()).put("status", f.status().label()).put("binary", f.binary()).put("added", f.added())
                        .put("removed", f.removed()).put("diff", f.diff());
            }
            Json.send(ctx, 200, body);
        });
        cfg.routes.get("/api/sessions/{id}/events", this::events);
        cfg.routes.get("/api/logins", ctx -> {
            ArrayNode a = Json.MAPPER.createArrayNode();
            auth.logins().forEach(l -> a.addObject().put("id", l.idHash()).put("createdAt", l.createdAt().toString())
                    .put("lastSeenAt", l.lastSeenAt().toString()).put("address", l.address()).put("userAgent", l.userAgent()));
            Json.send(ctx, 200, a);
        });
        cfg.routes.delete("/api/logins/{id}", ctx -> {
            if (!auth.revokeLogin(ctx.pathParam("id"))) throw new ApiError(404, "no such login");
            ctx.status(204);
        });
    }

    private void login(Context ctx) {
        String password = Json.field(Json.body(ctx), "password");
        switch (logins.attempt(ctx, password)) {
            case LoginFlow.Outcome.LoggedIn in -> Json.send(ctx, 200, Json.MAPPER.createObjectNode().put("csrfToken", in.csrfToken()));
            case LoginFlow.Outcome.WrongPassword w -> throw new ApiError(401, "wrong password");
            case LoginFlow.Outcome.Throttled t -> throw new ApiError(429, "too many failed logins from this address; try again in " + t.seconds() + " s");
        }
    }

    private void logout(Context ctx) {
        logins.logout(ctx);
        ctx.status(204);
    }

    private void create(Context ctx) {
        JsonNode body = Json.body(ctx);
        String repo = Json.field(body, "repo");
        String prompt = Json.optionalField(body, "prompt");
        SessionMode mode = SessionMode.parse(Json.optionalField(body, "mode"));
        Boolean gpu = Json.optionalBoolean(body, "gpu");
        String network = Json.optionalField(body, "network");
        // Answered at once: the session is made in the background, its reason saying how far it is.
        Session s = sessions.submit(new NewSession(repo, Json.optionalField(body, "branch"), prompt, mode, gpu,
                network == null ? null : NetworkPolicy.parse(network), Json.optionalField(body, "environment")));
        Json.send(ctx, 201, Json.session(s));
    }

    /** ?limit=N for a page of events: 1 to 1000, 1000 when not given. */
    static int limit(String param) {
        if (param == null || param.isBlank()) return MAX_EVENTS_PER_PAGE;
        try {
            int n = Integer.parseInt(param.strip());
            if (n >= 1 && n <= MAX_EVENTS_PER_PAGE) return n;
        } catch (NumberFormatException e) {
            // said below
        }
        throw new ApiError(400, "limit must be a number from 1 to " + MAX_EVENTS_PER_PAGE);
    }

    static final int MAX_EVENTS_PER_PAGE = 1000;

    private void events(Context ctx) throws Exception {
        String id = sessions.get(ctx.pathParam("id")).id();
        long after = EventStream.after(ctx.header("Last-Event-ID"), ctx.queryParam("after"));
        if (!Guard.isEventStream(ctx)) {
            ArrayNode a = Json.MAPPER.createArrayNode();
            sessions.eventPage(id, after, limit(ctx.queryParam("limit"))).forEach(e -> a.add(Json.event(e)));
            Json.send(ctx, 200, a);
            return;
        }
        new SseHandler(client -> streams.stream(client, id, after, Json::eventText,
                s -> Json.session(s).toString())).handle(ctx);
    }
}
