package dev.burrow.web;

import dev.burrow.agent.AgentEvent;
import dev.burrow.session.Session;
import dev.burrow.session.SessionManager;
import dev.burrow.session.SessionMode;
import dev.burrow.session.SessionState;
import dev.burrow.store.SessionStore;
import dev.burrow.store.StoredEvent;
import dev.burrow.terminal.Terminals;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseHandler;

/**
 * One session's page: the transcript rendered on the server, a live stream of further
 * fragments, the message box and the actions, and the Changes tab.
 */
final class SessionPage {
    private final SessionManager sessions;
    // Fragments already rendered (Markdown is not free), shared by everyone watching a session.
    private final Map<String, String> fragments = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > 2048;
        }
    });

    private final EventStream streams;

    SessionPage(SessionManager sessions, EventStream streams) {
        this.sessions = sessions;
        this.streams = streams;
    }

    private String fragment(StoredEvent stored) {
        return fragments.computeIfAbsent(stored.sessionId() + "/" + stored.seq(), k -> {
            // Events come to the stream unread; each is read here, one at a time, to be rendered.
            StoredEvent e = stored.read();
            var node = Json.MAPPER.createObjectNode().put("seq", e.seq()).put("type", e.event().type()).put("html", TranscriptView.render(e));
            // Claude Code's Notification hook (terminal mode): the browser raises it as a notification.
            if (e.event() instanceof AgentEvent.TerminalHook h && h.hook().equals(AgentEvent.TerminalHook.NOTIFICATION)) {
                node.put("notify", h.text().isBlank() ? "Claude needs your input" : h.text());
            }
            return node.toString();
        });
    }

    void register(JavalinConfig cfg) {
        cfg.routes.get("/sessions/{id}", this::page);
        cfg.routes.get("/sessions/{id}/earlier", this::earlier);
        cfg.routes.get("/sessions/{id}/stream", this::stream);
        cfg.routes.get("/sessions/{id}/changes", this::changes);
        cfg.routes.get("/sessions/{id}/terminal", this::terminal);
        cfg.routes.post("/sessions/{id}/messages", ctx -> {
            sessions.send(ctx.pathParam("id"), ctx.formParam("text"));
            ctx.redirect("/sessions/" + ctx.pathParam("id"));
        });
        cfg.routes.post("/sessions/{id}/interrupt", ctx -> act(ctx, () -> sessions.interrupt(ctx.pathParam("id"))));
        cfg.routes.post("/sessions/{id}/stop", ctx -> act(ctx, () -> sessions.stop(ctx.pathParam("id"))));
        cfg.routes.post("/sessions/{id}/to-terminal", ctx -> {
            sessions.switchMode(ctx.pathParam("id"), SessionMode.TERMINAL, p -> { });
            ctx.redirect("/sessions/" + ctx.pathParam("id") + "/terminal");
        });
        cfg.routes.post("/sessions/{id}/to-chat", ctx -> act(ctx, () -> sessions.switchMode(ctx.pathParam("id"), SessionMode.CHAT, p -> { })));
        cfg.routes.post("/sessions/{id}/push", ctx -> act(ctx, () -> sessions.publisher().push(ctx.pathParam("id"))));
        cfg.routes.post("/sessions/{id}/pull-request", ctx -> act(ctx, () -> sessions.publisher().openPullRequest(ctx.pathParam("id"), null, null)));
        cfg.routes.post("/sessions/{id}/resume", ctx -> act(ctx, () -> sessions.resume(ctx.pathParam("id"), null, p -> { })));
        cfg.routes.post("/sessions/{id}/rebuild-environment", ctx -> act(ctx, () -> sessions.rebuildEnvironment(ctx.pathParam("id"))));
        cfg.routes.post("/sessions/{id}/delete", ctx -> {
            sessions.delete(ctx.pathParam("id"));
            ctx.redirect("/");
        });
    }

    private void act(Context ctx, Runnable action) {
        action.run();
        ctx.redirect("/sessions/" + ctx.pathParam("id"));
    }

    private void page(Context ctx) {
        Session s = sessions.get(ctx.pathParam("id"));
        String csrf = Pages.csrf(ctx);
        // The end of the transcript, bounded (a long one is not rendered, nor held, whole); the rest is a link away.
        List<StoredEvent> events = sessions.transcriptTail(s.id(), Long.MAX_VALUE);
        String transcript = transcriptHtml(s, events);
        long last = events.isEmpty() ? 0 : events.getLast().seq();
        String body = "<section class=\"session\" data-session=\"" + s.id() + "\" data-after=\"" + last + "\">"
                + "<div id=\"session-header\">" + header(s, csrf) + "</div>"
                + tabs(s, "transcript")
                + "<div id=\"transcript\" aria-live=\"polite\">" + transcript + "</div>"
                + "<form id=\"message-form\" method=\"post\" action=\"/sessions/" + s.id() + "/messages\">"
                + "<input type=\"hidden\" name=\"_csrf\" value=\"" + Html.esc(csrf) + "\">"
                + "<textarea name=\"text\" id=\"message\" rows=\"2\" placeholder=\"" + (s.mode() == SessionMode.TERMINAL ? "Type into Claude's terminal" : "Message Claude")
                + " (Enter sends, Shift+Enter for a new line)\" required></textarea>"
                + "<button type=\"submit\">Send</button></form></section>";
        ctx.html(Html.page(s.repo() + " · " + s.branch(), csrf, body));
    }

    /** Earlier parts of the transcript, a page at a time, without the live stream. */
    private void earlier(Context ctx) {
        Session s = sessions.get(ctx.pathParam("id"));
        long before;
        try {
            before = Long.parseLong(String.valueOf(ctx.queryParam("before")).strip());
        } catch (NumberFormatException e) {
            throw new ApiError(400, "before must be a sequence number");
        }
        List<StoredEvent> events = sessions.transcriptTail(s.id(), before);
        String transcript = transcriptHtml(s, events);
        String body = "<section class=\"session earlier\"><p class=\"meta\"><a href=\"/sessions/" + s.id() + "\">Back to the latest</a></p>"
                + "<div id=\"transcript\">" + transcript + "</div></section>";
        ctx.html(Html.page(s.repo() + " · " + s.branch() + " · earlier", Pages.csrf(ctx), body));
    }

    /** The events, rendered one at a time (each read only while it is rendered), after a link to those before them, if any. */
    private static String transcriptHtml(Session s, List<StoredEvent> shown) {
        StringBuilder html = new StringBuilder();
        if (!shown.isEmpty() && shown.getFirst().seq() > 1) {
            html.append("<p class=\"meta earlier-link\"><a href=\"/sessions/").append(s.id()).append("/earlier?before=").append(shown.getFirst().seq())
                    .append("\">Earlier events (").append(shown.getFirst().seq() - 1).append(")</a></p>");
        }
        shown.forEach(e -> html.append(TranscriptView.render(e)));
        return html.toString();
    }

    static String tabs(Session s, String current) {
        return "<nav class=\"tabs\"><a href=\"/sessions/" + s.id() + "\"" + ("transcript".equals(current) ? " aria-current=\"page\"" : "")
                + ">Transcript</a><a href=\"/sessions/" + s.id() + "/changes\"" + ("changes".equals(current) ? " aria-current=\"page\"" : "")
                + ">Changes</a><a href=\"/sessions/" + s.id() + "/terminal\"" + ("terminal".equals(current) ? " aria-current=\"page\"" : "")
                + ">Terminal</a></nav><div id=\"ports\" class=\"ports\" data-ports=\"/api/sessions/" + s.id() + "/ports\" hidden></div>";
    }

    /** The part of the page that changes with the session's state: status, cost, actions. */
    String header(Session s, String csrf) {
        List<SessionStore.TurnUsage> turns = sessions.turns(s.id());
        long in = turns.stream().mapToLong(SessionStore.TurnUsage::inputTokens).sum();
        long out = turns.stream().mapToLong(SessionStore.TurnUsage::outputTokens).sum();
        StringBuilder actions = new StringBuilder();
        String base = "/sessions/" + s.id() + "/";
        if (s.state() == SessionState.RUNNING) actions.append(Html.form(base + "interrupt", csrf, "Interrupt", "warn"));
        if (s.state().live()) actions.append(Html.form(base + "stop", csrf, "Stop", ""));
        if (s.state() == SessionState.STOPPED || s.state() == SessionState.FAILED) actions.append(Html.form(base + "resume", csrf, "Resume", ""));
        if (s.state() != SessionState.RUNNING && s.state() != SessionState.CREATING) {
            actions.append(s.mode() == SessionMode.CHAT ? Html.form(base + "to-terminal", csrf, "Continue in terminal", "")
                    : Html.form(base + "to-chat", csrf, "Back to chat", ""));
        }
        if (sessions.publisher().available() && s.state() != SessionState.CREATING) {
            // Both bring the work out first (a turn must not be moving the branch meanwhile).
            actions.append(Html.form(base + "push", csrf, "Push branch", ""));
            if (s.state() != SessionState.RUNNING) actions.append(Html.form(base + "pull-request", csrf, "Open PR", ""));
        }
        var environment = sessions.environment(s.id());
        if (environment.isPresent()) actions.append(Html.form(base + "rebuild-environment", csrf, "Rebuild environment", ""));
        actions.append(Html.form(base + "delete", csrf, "Delete", "danger"));
        String pr = sessions.publisher().pullRequest(s.id()).map(u -> " · <a class=\"pr\" href=\"" + Html.esc(u) + "\">pull request</a>").orElse("");
        return "<div class=\"row\"><h1>" + Html.esc(s.repo()) + "</h1><span class=\"state " + s.state().label() + "\" data-state=\""
                + s.state().label() + "\">" + (sessions.saving(s.id()) && s.state().live() ? "saving" : Pages.stateLabel(s)) + "</span></div>"
                + "<p class=\"meta\">" + (s.mode() == SessionMode.TERMINAL ? "terminal · " : "") + (s.gpu() ? "GPU · " : "")
                + (s.network().proxied() ? "network: " + s.network().label() + " · " : "")
                + (sessions.limits().any() ? Html.esc(sessions.limits().describe()) + " · " : "") + "<code>" + Html.esc(s.branch()) + "</code>" + (s.baseBranch() == null ? "" : " from <code>" + Html.esc(s.baseBranch()) + "</code>")
                + String.format(Locale.ROOT, " · $%.4f · %,d in / %,d out tokens · %d turns (as the agent reports)", s.costUsd(), in, out, turns.size())
                + gatewayUsage(sessions.modelUsage(s.id()), in, out) + pr + "</p>"
                + environment.map(e -> "<p class=\"meta environment\">" + Html.esc(e) + "</p>").orElse("")
                + (s.reason() == null ? "" : "<p class=\"notice" + (s.state() == SessionState.FAILED ? " error" : "") + "\">" + Html.esc(s.reason()) + "</p>")
                + "<div class=\"actions\">" + actions + "</div>";
    }

    /**
     * What the session's model gateway saw, beside what the agent reports: the agent's figures
     * come from lines the container writes, the gateway's from the answers themselves.
     */
    static String gatewayUsage(dev.burrow.store.ModelUsageStore.Totals g, long agentIn, long agentOut) {
        if (g.requests() == 0) return "";
        String cost = g.unpriced() == g.requests() ? "cost unknown" : String.format(Locale.ROOT, "$%.4f at list prices%s", g.costUsd(),
                g.unpriced() > 0 ? " (" + g.unpriced() + " answers of unknown models not priced)" : "");
        boolean differs = g.inputTokens() != agentIn || g.outputTokens() != agentOut;
        return String.format(Locale.ROOT, " · <span class=\"gateway-usage%s\" title=\"counted by Burrow's model gateway as the answers passed\">"
                        + "%s · %,d in / %,d out tokens · %d answers, %d turn ends (as the gateway saw%s)</span>", differs ? " differs" : "", cost,
                g.inputTokens(), g.outputTokens(), g.requests(), g.turnEnds(), differs ? "; the agent's figures differ" : "");
    }

    private void stream(Context ctx) throws Exception {
        String id = sessions.get(ctx.pathParam("id")).id();
        long after = EventStream.after(ctx.header("Last-Event-ID"), ctx.queryParam("after"));
        String csrf = Pages.csrf(ctx);
        if (!Guard.isEventStream(ctx)) throw new ApiError(406, "this is an event stream; ask for text/event-stream");
        new SseHandler(client -> streams.stream(client, id, after, this::fragment,
                s -> Json.MAPPER.createObjectNode().put("state", s.state().label()).put("html", header(s, csrf)).toString())).handle(ctx);
    }

    /** The Terminal tab: Claude Code's own screen (terminal mode) or the session's shell. */
    // The keys a phone's keyboard lacks, above the terminal on touch screens (terminal.js sends them).
    private static final String KEY_BAR = "<div class=\"keybar\" id=\"keybar\" role=\"toolbar\" aria-label=\"Terminal keys\">"
            + "<button type=\"button\" data-key=\"esc\">Esc</button><button type=\"button\" data-key=\"tab\">Tab</button>"
            + "<button type=\"button\" data-key=\"ctrl\" aria-pressed=\"false\">Ctrl</button>"
            + "<button type=\"button\" data-key=\"up\" aria-label=\"Up\">↑</button><button type=\"button\" data-key=\"down\" aria-label=\"Down\">↓</button>"
            + "<button type=\"button\" data-key=\"left\" aria-label=\"Left\">←</button><button type=\"button\" data-key=\"right\" aria-label=\"Right\">→</button>"
            + "<button type=\"button\" data-key=\"ctrl-c\">Ctrl-C</button><button type=\"button\" data-key=\"slash\">/</button>"
            + "<button type=\"button\" data-key=\"paste\">Paste</button>"
            + "<button type=\"button\" data-key=\"smaller\" aria-label=\"Smaller text\">A−</button><button type=\"button\" data-key=\"larger\" aria-label=\"Larger text\">A+</button>"
            + "</div>";

    private void terminal(Context ctx) {
        Session s = sessions.get(ctx.pathParam("id"));
        String csrf = Pages.csrf(ctx);
        List<String> windows = s.mode() == SessionMode.TERMINAL ? Terminals.WINDOWS : List.of(Terminals.SHELL);
        String asked = ctx.queryParam("window");
        String window = asked != null && windows.contains(asked) ? asked : windows.getFirst();
        StringBuilder picker = new StringBuilder();
        if (windows.size() > 1) {
            picker.append("<nav class=\"windows\">");
            for (String w : windows) {
                picker.append("<a href=\"/sessions/").append(s.id()).append("/terminal?window=").append(w).append("\"")
                        .append(w.equals(window) ? " aria-current=\"page\"" : "").append(">").append(w.equals("claude") ? "Claude" : "Shell").append("</a>");
            }
            picker.append("</nav>");
        }
        String body = s.state().live()
                ? picker + "<link rel=\"stylesheet\" href=\"/static/vendor/xterm.css\">" + KEY_BAR + "<div id=\"terminal\" data-session=\"" + s.id()
                        + "\" data-window=\"" + window + "\"></div><script type=\"module\" src=\"/static/terminal.js\"></script>"
                : "<p class=\"empty\">The session is " + s.state().label() + "; resume it to open its terminal.</p>";
        long last = sessions.lastSeq(s.id());
        // xterm.js draws its colours through a style element it writes itself; script stays 'self' only.
        ctx.header("Content-Security-Policy", Guard.contentSecurityPolicy("'self' 'unsafe-inline'"));
        ctx.html(Html.page("Terminal · " + s.branch(), csrf, "<section class=\"session\" data-session=\"" + s.id() + "\" data-after=\"" + last
                + "\"><div id=\"session-header\">" + header(s, csrf) + "</div>" + tabs(s, "terminal") + body + "</section>"));
    }

    private void changes(Context ctx) {
        Session s = sessions.get(ctx.pathParam("id"));
        String csrf = Pages.csrf(ctx);
        dev.burrow.workspace.Changes changes = sessions.changes(s.id());
        StringBuilder files = new StringBuilder();
        files.append("<p class=\"saved\">").append(changes.savedAt().map(t -> "As of the last save, "
                + java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(java.time.ZoneOffset.UTC).format(t)
                + ": committed and uncommitted work.").orElse("Not saved yet: changes show after the first turn's save.")).append("</p>");
        if (changes.files().isEmpty()) files.append("<p class=\"empty\">No changes on ").append(Html.esc(s.branch())).append(" yet.</p>");
        if (changes.cut()) {
            files.append("<p class=\"empty\">The diff is over ").append(dev.burrow.workspace.Workspaces.MAX_DIFF_BYTES >> 20)
                    .append(" MiB: the files are listed without it.</p>");
        }
        for (dev.burrow.workspace.Changes.FileChange f : changes.files()) {
            String counts = f.binary() ? "binary file" : "+" + f.added() + " −" + f.removed();
            files.append("<details class=\"file ").append(f.status().label()).append("\"").append(f.collapsed() || f.diff().isEmpty() ? "" : " open")
                    .append(" data-status=\"").append(f.status().label()).append("\"><summary><span class=\"status ").append(f.status().label()).append("\">")
                    .append(f.status().label()).append("</span> ").append(Html.esc(f.path())).append(" <span class=\"count\">").append(counts)
                    .append(f.collapsed() ? " · " + f.diffLines() + " lines, collapsed" : "").append("</span></summary>");
            if (f.binary()) {
                files.append("<p class=\"empty\">A binary file: no diff shown.</p>");
            } else if (!f.diff().isEmpty()) {
                StringBuilder body = new StringBuilder();
                for (String l : f.diff().split("\n")) {
                    String cls = l.startsWith("+") && !l.startsWith("+++") ? "add" : l.startsWith("-") && !l.startsWith("---") ? "del"
                            : l.startsWith("@@") ? "hunk" : "";
                    body.append("<span class=\"").append(cls).append("\">").append(Html.esc(l)).append("</span>\n");
                }
                files.append("<pre class=\"diff\">").append(body).append("</pre>");
            }
            files.append("</details>");
        }
        ctx.html(Html.page("Changes · " + s.branch(), csrf, "<section class=\"session\"><div id=\"session-header\">" + header(s, csrf)
                + "</div>" + tabs(s, "changes") + "<div id=\"changes\">" + files + "</div></section>"));
    }
}
