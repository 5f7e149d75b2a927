package dev.burrow.web;

import dev.burrow.auth.Authenticator;
import dev.burrow.store.AuthStore;
import io.javalin.http.Context;
import java.net.URI;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Runs before every request: security headers, who is asking (a bearer token or the login
 * cookie), CSRF for unsafe methods, and Origin for event streams and WebSockets. What it
 * decides is left on the context for the handlers.
 */
final class Guard {
    static final String COOKIE = "burrow_session";

    /** The values of every cookie named {@code name} in a Cookie header, in order (at most 16). */
    static List<String> cookieValues(String header, String name) {
        List<String> out = new java.util.ArrayList<>();
        if (header == null) return out;
        for (String pair : header.split(";")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).strip().equals(name) && out.size() < 16) out.add(pair.substring(eq + 1).strip());
        }
        return out;
    }
    static final String CSRF_HEADER = "X-CSRF-Token";
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");
    private static final List<String> PUBLIC = List.of("/login", "/api/login", "/static/", "/manifest.webmanifest", "/sw.js", "/healthz");

    /** Who made the request: a browser login (with its CSRF token) or a named API token. */
    sealed interface Caller {
        record Browser(AuthStore.Login login, String cookieValue) implements Caller {
        }

        record Script(String tokenName) implements Caller {
        }
    }

    private final Authenticator auth;
    private final WebOptions options;
    private final ServedHosts served;

    Guard(Authenticator auth, WebOptions options) {
        this.auth = auth;
        this.options = options;
        this.served = ServedHosts.of(options.bind(), options.hosts());
    }

    /** No inline script anywhere; {@code styles} says where style sheets may come from. */
    static String contentSecurityPolicy(String styles) {
        return "default-src 'self'; script-src 'self'; style-src " + styles + "; img-src 'self' data:; "
                + "connect-src 'self'; manifest-src 'self'; worker-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    }

    void before(Context ctx) {
        ctx.header("Content-Security-Policy", contentSecurityPolicy("'self'"));
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "same-origin");
        String host = ctx.header("Host");
        if (!served.serves(host)) {
            throw new ApiError(421, "this server does not answer to " + ServedHosts.hostOnly(host.strip())
                    + "; if that is its name, start it with ./burrow serve --host " + ServedHosts.hostOnly(host.strip()));
        }
        String path = ctx.path();
        if (PUBLIC.stream().anyMatch(p -> p.endsWith("/") ? path.startsWith(p) : path.equals(p))) return;
        // ./burrow run of this machine's user needs no password (it read the server's token from the data dir); all else does.
        String authorization = ctx.header("Authorization");
        boolean local = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7) && auth.isLocalToken(authorization.substring(7));
        if (!auth.passwordSet() && !local) {
            if (isApi(ctx)) throw new ApiError(503, "no password is set; run ./burrow passwd on the server");
            ctx.redirect("/login");
            ctx.skipRemainingHandlers();
            return;
        }
        Optional<Caller> caller = caller(ctx);
        if (caller.isEmpty()) {
            if (isApi(ctx)) throw new ApiError(401, "log in first (POST /api/login) or send Authorization: Bearer <token>");
            ctx.redirect("/login");
            ctx.skipRemainingHandlers();
            return;
        }
        ctx.attribute("caller", caller.get());
        if (caller.get() instanceof Caller.Browser b) {
            boolean stream = isEventStream(ctx) || isWebSocket(ctx);
            if ((stream || !SAFE_METHODS.contains(ctx.method().name())) && !sameOrigin(ctx)) {
                throw new ApiError(403, "cross-origin request refused");
            }
            if (!SAFE_METHODS.contains(ctx.method().name())) {
                String token = Optional.ofNullable(ctx.header(CSRF_HEADER)).orElseGet(() -> formField(ctx));
                if (!auth.csrfMatches(b.login(), token)) {
                    throw new ApiError(403, "missing or wrong CSRF token; reload the page");
                }
            }
        }
    }

    private static String formField(Context ctx) {
        String type = ctx.contentType();
        return type != null && type.startsWith("application/x-www-form-urlencoded") ? ctx.formParam("_csrf") : null;
    }

    Optional<Caller> caller(Context ctx) {
        String authorization = ctx.header("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return auth.token(authorization.substring(7)).map(Caller.Script::new);
        }
        // Every burrow_session the browser sent, not only the first: a page on another port of this
        // host (a preview) can set one for a narrower path, which the browser then sends first.
        for (String cookie : cookieValues(ctx.header("Cookie"), COOKIE)) {
            var login = auth.session(cookie);
            if (login.isPresent()) return Optional.of(new Caller.Browser(login.get(), cookie));
        }
        return Optional.empty();
    }

    static Caller callerOf(Context ctx) {
        return ctx.attribute("caller");
    }

    /** A request without Origin (same-origin GETs, scripts) passes; one with Origin must name this host. */
    static boolean sameOrigin(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin == null) return true;
        String host = ctx.header("Host");
        try {
            URI o = URI.create(origin);
            String authority = o.getPort() < 0 ? o.getHost() : o.getHost() + ":" + o.getPort();
            return host != null && (host.equalsIgnoreCase(authority) || host.equalsIgnoreCase(o.getRawAuthority()));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * The real client address: the peer, or, when the peer is a trusted proxy, the last hop of
     * X-Forwarded-For: the one that proxy added. Every hop before it is the client's to write,
     * over as many X-Forwarded-For headers as it likes, so only the last of the last one counts.
     */
    String clientAddress(Context ctx) {
        String peer = ctx.req().getRemoteAddr();
        if (!options.trustedProxies().contains(peer)) return peer;
        String last = null;
        for (String header : Collections.list(ctx.req().getHeaders("X-Forwarded-For"))) {
            String[] hops = header.split(",");
            if (hops.length > 0) last = hops[hops.length - 1].strip();
        }
        return last == null || last.isEmpty() ? peer : last;
    }

    /** Secure when the request came over HTTPS (directly or through a trusted proxy), or when configured. */
    boolean secureRequest(Context ctx) {
        if (options.secureCookies() || "https".equals(ctx.scheme())) return true;
        return options.trustedProxies().contains(ctx.req().getRemoteAddr()) && "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
    }

    static boolean isApi(Context ctx) {
        return ctx.path().startsWith("/api/");
    }

    static boolean isEventStream(Context ctx) {
        String accept = ctx.header("Accept");
        return accept != null && accept.contains("text/event-stream");
    }

    static boolean isWebSocket(Context ctx) {
        return "websocket".equalsIgnoreCase(ctx.header("Upgrade"));
    }
}
