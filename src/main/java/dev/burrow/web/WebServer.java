package dev.burrow.web;

import dev.burrow.Burrow;
import dev.burrow.auth.LoginThrottle;
import dev.burrow.session.SessionException;
import dev.burrow.terminal.Terminals;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.Objects;

/**
 * The HTTP server on the session engine: the JSON API, the event streams and the pages, all
 * behind {@link Guard}. It binds to loopback unless told otherwise.
 */
public final class WebServer implements AutoCloseable {
    private final Javalin app;
    private final Terminals terminals;
    private final EventStream streams;

    private WebServer(Javalin app, Terminals terminals, EventStream streams) {
        this.app = app;
        this.terminals = terminals;
        this.streams = streams;
    }

    public static WebServer start(Burrow burrow, WebOptions options) {
        Objects.requireNonNull(burrow);
        Guard guard = new Guard(burrow.auth(), options);
        LoginThrottle throttle = new LoginThrottle(Clock.systemUTC());
        LoginFlow logins = new LoginFlow(burrow.auth(), throttle, guard);
        EventStream streams = new EventStream(burrow.sessions());
        ApiRoutes api = new ApiRoutes(burrow.sessions(), burrow.auth(), logins, streams);
        Pages pages = new Pages(burrow.sessions(), burrow.auth(), logins, streams);
        Terminals terminals = new Terminals(burrow.engine());
        TerminalSocket terminalSocket = new TerminalSocket(burrow.sessions(), terminals);
        Javalin app = Javalin.create(cfg -> {
            cfg.concurrency.useVirtualThreads = true;
            // A message may be 1 MiB of text; its JSON envelope a little more. Larger bodies get 413.
            cfg.http.maxRequestSize = 2L * 1024 * 1024;
            cfg.routes.before(guard::before);
            cfg.routes.get("/healthz", ctx -> ctx.result("ok"));
            api.register(cfg);
            pages.register(cfg);
            terminalSocket.register(cfg, guard);
            cfg.routes.exception(ApiError.class, (e, ctx) -> error(ctx, e.status, e.getMessage()));
            cfg.routes.exception(SessionException.class, (e, ctx) -> error(ctx, status(e.kind()), e.getMessage()));
            cfg.routes.exception(IllegalArgumentException.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
        });
        app.start(options.bind(), options.port());
        return new WebServer(app, terminals, streams);
    }

    static int status(SessionException.Kind kind) {
        return switch (kind) {
            case BAD_INPUT -> 400;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case TOO_LARGE -> 413;
            case UNAVAILABLE -> 503;
        };
    }

    private static void error(Context ctx, int status, String message) {
        if (Guard.isApi(ctx)) {
            Json.send(ctx, status, Json.error(message));
        } else {
            ctx.status(status).html(Html.errorPage(status, message));
        }
    }

    /** Terminal PTYs open now. */
    public int openTerminals() {
        return terminals.openCount();
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        // Streams end before Jetty stops, while their requests still exist to be finished.
        streams.closeAll();
        app.stop();
        terminals.close();
    }
}
