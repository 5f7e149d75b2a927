package dev.burrow.web;

import dev.burrow.session.Session;
import dev.burrow.session.SessionManager;
import dev.burrow.session.SessionMode;
import dev.burrow.terminal.Terminals;
import dev.burrow.terminal.Viewer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import io.javalin.config.JavalinConfig;
import io.javalin.websocket.WsContext;
import tools.jackson.databind.JsonNode;

/**
 * `/api/sessions/{id}/terminal?window=claude|shell`: a WebSocket onto a terminal in the session's
 * container. Binary frames carry the bytes both ways; a text frame {"cols":N,"rows":M}
 * resizes. The upgrade request passes {@link Guard} first (cookie or token, same origin), so
 * nothing starts for a caller who may not.
 */
final class TerminalSocket {
    static final int MAX_FRAME = 1024 * 1024;
    private static final String PATH = "/api/sessions/{id}/terminal";

    private final SessionManager sessions;
    private final Terminals terminals;
    private final Map<String, Terminals.Attachment> attachments = new ConcurrentHashMap<>();

    TerminalSocket(SessionManager sessions, Terminals terminals) {
        this.sessions = sessions;
        this.terminals = terminals;
    }

    void register(JavalinConfig cfg, Guard guard) {
        cfg.jetty.modifyWebSocketServletFactory(f -> {
            f.setMaxBinaryMessageSize(MAX_FRAME);
            f.setMaxTextMessageSize(MAX_FRAME);
        });
        cfg.routes.wsBeforeUpgrade(PATH, guard::before);
        cfg.routes.ws(PATH, ws -> {
            ws.onConnect(this::connect);
            ws.onBinaryMessage(ctx -> {
                Terminals.Attachment a = attachments.get(ctx.sessionId());
                if (a == null) return;
                ByteBuffer data = ctx.data();
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                a.input(bytes);
            });
            ws.onMessage(ctx -> {
                Terminals.Attachment a = attachments.get(ctx.sessionId());
                if (a == null) return;
                JsonNode size = Json.MAPPER.readTree(ctx.message());
                a.resize(size.path("cols").asInt(80), size.path("rows").asInt(24));
            });
            ws.onClose(ctx -> detach(ctx.sessionId()));
            ws.onError(ctx -> detach(ctx.sessionId()));
        });
    }

    private void connect(WsContext ctx) throws IOException {
        ctx.session.setIdleTimeout(Duration.ofHours(12));
        Session s;
        try {
            s = sessions.get(ctx.pathParam("id"));
        } catch (RuntimeException e) {
            ctx.closeSession(4404, "no such session");
            return;
        }
        if (s.state() == dev.burrow.session.SessionState.CREATING && s.containerId() == null) {
            // Still starting (queued, cloning): the page's script tries again in a moment.
            ctx.closeSession(4503, "session " + s.shortId() + " is starting" + (s.reason() == null ? "" : ": " + s.reason()));
            return;
        }
        if (!s.state().live() || s.containerId() == null) {
            ctx.closeSession(4409, "session " + s.shortId() + " is " + s.state().label() + "; resume it to open a terminal");
            return;
        }
        boolean terminalMode = s.mode() == SessionMode.TERMINAL;
        String window = ctx.queryParam("window") == null ? (terminalMode ? Terminals.CLAUDE : Terminals.SHELL) : ctx.queryParam("window");
        if (!Terminals.WINDOWS.contains(window)) {
            ctx.closeSession(4400, "no window " + window + "; there is: " + String.join(", ", Terminals.WINDOWS));
            return;
        }
        if (window.equals(Terminals.CLAUDE) && !terminalMode) {
            ctx.closeSession(4400, "session " + s.shortId() + " runs in chat mode; switch it to the terminal to see Claude there");
            return;
        }
        int cols = parse(ctx.queryParam("cols"), 80);
        int rows = parse(ctx.queryParam("rows"), 24);
        Viewer viewer = new Viewer() {
            public void output(byte[] bytes) {
                if (ctx.session.isOpen()) ctx.send(ByteBuffer.wrap(bytes));
            }

            public void ended(String reason) {
                if (ctx.session.isOpen()) ctx.closeSession(1000, reason);
            }
        };
        attachments.put(ctx.sessionId(), terminals.attach(s.containerId(), window, cols, rows, viewer));
    }

    private void detach(String wsId) {
        Terminals.Attachment a = attachments.remove(wsId);
        if (a != null) a.detach();
    }

    private static int parse(String v, int fallback) {
        try {
            return v == null ? fallback : Math.max(1, Math.min(1000, Integer.parseInt(v)));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
