package dev.burrow.web;

import dev.burrow.Burrow;
import dev.burrow.auth.LoginThrottle;
import dev.burrow.session.SessionException;
import dev.burrow.terminal.Terminals;
import io.javalin.Javalin;
import io.javalin.http.Context;
import dev.burrow.push.PushNotifier;
import dev.burrow.push.PushSender;
import dev.burrow.push.VapidKeys;
import java.net.http.HttpClient;
import java.time.Duration;
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
    private final PushNotifier notifier;
    private final Runnable unsubscribe;

    private WebServer(Javalin app, Terminals terminals, EventStream streams, PushNotifier notifier, Runnable unsubscribe) {
        this.app = app;
        this.terminals = terminals;
        this.streams = streams;
        this.notifier = notifier;
        this.unsubscribe = unsubscribe;
    }

    /** Whom a push service may contact about Burrow's pushes (RFC 8292's "sub"). */
    static final String PUSH_CONTACT = "mailto:burrow@localhost";

    public static WebServer start(Burrow burrow, WebOptions options) {
        Objects.requireNonNull(burrow);
        Guard guard = new Guard(burrow.auth(), options);
        LoginThrottle throttle = new LoginThrottle(Clock.systemUTC());
        LoginFlow logins = new LoginFlow(burrow.auth(), throttle, guard);
        EventStream streams = new EventStream(burrow.sessions());
        ApiRoutes api = new ApiRoutes(burrow.sessions(), burrow.auth(), logins, streams);
        // Pushes go out from the serving process only (a CLI following a session would send them twice).
        VapidKeys vapid = VapidKeys.loadOrCreate(burrow.config().dataDir().resolve("push"));
        PushSender sender = new PushSender(vapid, PUSH_CONTACT, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(), Clock.systemUTC());
        PushNotifier notifier = new PushNotifier(burrow.pushes(), sender, burrow.sessions()::title, Clock.systemUTC());
        PushRoutes push = new PushRoutes(burrow.pushes(), vapid);
        PreviewServer previews = new PreviewServer(burrow.sessions().previews(), ServedHosts.of(options.bind(), options.hosts()), burrow.auth(), options,
                Clock.systemUTC());
        Pages pages = new Pages(burrow.sessions(), burrow.auth(), logins, streams, push);
        Terminals terminals = new Terminals(burrow.engine());
        TerminalSocket terminalSocket = new TerminalSocket(burrow.sessions(), terminals);
        Javalin app = Javalin.create(cfg -> {
            cfg.concurrency.useVirtualThreads = true;
            // A message may be 1 MiB of text; its JSON envelope a little more. Larger bodies get 413.
            cfg.http.maxRequestSize = 2L * 1024 * 1024;
            cfg.routes.before(guard::before);
            cfg.routes.get("/healthz", ctx -> ctx.result("ok"));
            api.register(cfg);
            push.register(cfg);
            previews.register(cfg, burrow.sessions());
            pages.register(cfg);
            terminalSocket.register(cfg, guard);
            cfg.routes.exception(ApiError.class, (e, ctx) -> error(ctx, e.status, e.getMessage()));
            cfg.routes.exception(SessionException.class, (e, ctx) -> error(ctx, status(e.kind()), e.getMessage()));
            cfg.routes.exception(IllegalArgumentException.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
        });
        app.start(options.bind(), options.port());
        Runnable unsubscribeNotifier = burrow.sessions().subscribe(notifier);
        return new WebServer(app, terminals, streams, notifier, () -> {
            unsubscribeNotifier.run();
            previews.close();
        });
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
        unsubscribe.run();
        notifier.close();
        app.stop();
        terminals.close();
    }
}
