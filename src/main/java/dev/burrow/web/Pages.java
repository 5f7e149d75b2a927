package dev.burrow.web;

import dev.burrow.auth.Authenticator;
import dev.burrow.container.NetworkPolicy;
import dev.burrow.session.NewSession;
import dev.burrow.session.Session;
import dev.burrow.session.SessionException;
import dev.burrow.session.SessionManager;
import dev.burrow.session.SessionMode;
import dev.burrow.store.AuthStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;

/** The server-rendered pages: login, the session list, a new session, settings. */
final class Pages {
    private final SessionManager sessions;
    private final Authenticator auth;
    private final LoginFlow logins;
    private final EventStream streams;
    private final PushRoutes push;

    Pages(SessionManager sessions, Authenticator auth, LoginFlow logins, EventStream streams, PushRoutes push) {
        this.streams = streams;
        this.push = push;
        this.sessions = sessions;
        this.auth = auth;
        this.logins = logins;
    }

    void register(JavalinConfig cfg) {
        StaticFiles.register(cfg);
        cfg.routes.get("/login", ctx -> ctx.html(loginPage(null)));
        cfg.routes.post("/login", this::login);
        cfg.routes.post("/logout", ctx -> {
            logins.logout(ctx);
            ctx.redirect("/login");
        });
        cfg.routes.get("/", ctx -> ctx.html(Html.page("Sessions", csrf(ctx),
                "<section><div class=\"row\"><h1>Sessions</h1><a class=\"button\" href=\"/new\">New session</a></div>"
                        + "<div id=\"sessions\" data-refresh=\"/fragments/sessions\">" + sessionList() + "</div></section>")));
        cfg.routes.get("/fragments/sessions", ctx -> ctx.html(sessionList()));
        cfg.routes.get("/new", ctx -> ctx.html(newSessionPage(csrf(ctx), null, "", "", "", nz(ctx.queryParam("mode")))));
        cfg.routes.post("/sessions", this::create);
        cfg.routes.get("/settings", ctx -> ctx.html(settingsPage(ctx)));
        cfg.routes.post("/settings/logins/{id}/revoke", ctx -> {
            auth.revokeLogin(ctx.pathParam("id"));
            ctx.redirect("/settings");
        });
        new SessionPage(sessions, streams).register(cfg);
    }

    static String csrf(Context ctx) {
        return Guard.callerOf(ctx) instanceof Guard.Caller.Browser b ? b.login().csrfToken() : "";
    }

    private String loginPage(String error) {
        if (!auth.passwordSet()) {
            return Html.page("Set a password", null, "<section class=\"card narrow\"><h1>Set a password first</h1>"
                    + "<p>Burrow has no password yet. On the machine that runs it, run:</p><pre>./burrow passwd</pre>"
                    + "<p>then reload this page.</p></section>");
        }
        return Html.page("Log in", null, "<section class=\"card narrow\"><h1>Log in</h1>"
                + (error == null ? "" : "<p class=\"error-text\" role=\"alert\">" + Html.esc(error) + "</p>")
                + "<form method=\"post\" action=\"/login\"><label>Password <input type=\"password\" name=\"password\" "
                + "autocomplete=\"current-password\" autofocus required></label><button type=\"submit\">Log in</button></form></section>");
    }

    private void login(Context ctx) {
        if (!auth.passwordSet()) {
            ctx.status(503).html(loginPage(null));
            return;
        }
        switch (logins.attempt(ctx, ctx.formParam("password"))) {
            case LoginFlow.Outcome.LoggedIn in -> ctx.redirect("/");
            case LoginFlow.Outcome.WrongPassword w -> ctx.status(401).html(loginPage("Wrong password."));
            case LoginFlow.Outcome.Throttled t -> ctx.status(429).html(loginPage("Too many failed attempts; try again in " + t.seconds() + " s."));
        }
    }

    /** While the runner image builds (or after it failed), a line saying so: sessions asked for meanwhile wait for it. */
    private String imageBanner() {
        return sessions.imageBuild().map(line -> "<p class=\"notice\" role=\"status\" id=\"image-build\">" + Html.esc(line)
                + "; sessions asked for meanwhile start when it is ready.</p>").orElse("");
    }

    private String sessionList() {
        StringBuilder b = new StringBuilder(imageBanner());
        var list = sessions.list();
        if (list.isEmpty()) return b + "<p class=\"empty\">No sessions yet. <a href=\"/new\">Start one.</a></p>";
        b.append("<ul class=\"sessions\">");
        var usage = sessions.modelUsage();
        var titles = sessions.titles();
        for (Session s : list) {
            String title = titles.get(s.id());
            // A terminal-mode session opens on Claude's screen.
            b.append("<li><a href=\"/sessions/").append(s.id()).append(s.mode() == SessionMode.TERMINAL ? "/terminal" : "").append("\"><span class=\"state ").append(s.state().label()).append("\">")
                    .append(stateLabel(s)).append("</span> ").append(title == null ? "" : "<span class=\"title\">" + Html.esc(title) + "</span> ")
                    .append("<b>").append(Html.esc(s.repo())).append("</b> <code>")
                    .append(Html.esc(s.branch())).append("</code> <span class=\"meta\">").append(age(s.createdAt())).append(" · ")
                    .append(cost(s, usage.getOrDefault(s.id(), dev.burrow.store.ModelUsageStore.Totals.NONE))).append("</span>")
                    .append(s.reason() == null ? "" : "<div class=\"meta\">" + Html.esc(s.reason()) + "</div>").append("</a></li>");
        }
        return b.append("</ul>").toString();
    }

    /**
     * A session's cost in the list: as Burrow's model gateway counted it (at list prices) when it
     * priced the session's answers, else as the agent reports it, labelled so.
     */
    private static String cost(Session s, dev.burrow.store.ModelUsageStore.Totals g) {
        if (g.requests() > 0 && g.unpriced() == 0) {
            return String.format(Locale.ROOT, "<span class=\"cost\" title=\"counted by Burrow's model gateway, at list prices\">$%.4f</span>", g.costUsd());
        }
        return String.format(Locale.ROOT, "<span class=\"cost reported\" title=\"as the agent reports it\">$%.4f (agent)</span>", s.costUsd());
    }

    /** What a state means to the user. */
    static String stateLabel(Session s) {
        return switch (s.state()) {
            case CREATING -> "starting";
            case RUNNING -> "working";
            case IDLE -> "waiting for you";
            case STOPPED -> "stopped";
            case FAILED -> "failed";
            case DELETED -> "deleted";
        };
    }

    static String age(Instant t) {
        Duration d = Duration.between(t, Instant.now());
        if (d.toDays() > 0) return d.toDays() + " d ago";
        if (d.toHours() > 0) return d.toHours() + " h ago";
        if (d.toMinutes() > 0) return d.toMinutes() + " min ago";
        return "just now";
    }

    private String newSessionPage(String csrf, String error, String repo, String branch, String prompt, String mode) {
        boolean terminal = "terminal".equals(mode);
        StringBuilder options = new StringBuilder();
        for (String r : sessions.recentRepos()) options.append("<option value=\"").append(Html.esc(r)).append("\">");
        return Html.page("New session", csrf, "<section class=\"card\"><h1>New session</h1>" + imageBanner()
                + (error == null ? "" : "<p class=\"error-text\" role=\"alert\">" + Html.esc(error) + "</p>")
                + "<form method=\"post\" action=\"/sessions\" id=\"new-session\"><input type=\"hidden\" name=\"_csrf\" value=\"" + Html.esc(csrf) + "\">"
                + "<label>Repository (a path on the server or a git URL)<input name=\"repo\" list=\"recent-repos\" required value=\""
                + Html.esc(repo) + "\" autocomplete=\"off\"></label><datalist id=\"recent-repos\">" + options + "</datalist>"
                + "<label>Base branch (optional)<input name=\"branch\" value=\"" + Html.esc(branch) + "\" placeholder=\"the repository's HEAD\"></label>"
                + "<fieldset class=\"mode\"><legend>Mode</legend>"
                + "<label class=\"inline\"><input type=\"radio\" name=\"mode\" value=\"chat\"" + (terminal ? "" : " checked") + "> Chat (a transcript; Burrow shows each step)</label>"
                + "<label class=\"inline\"><input type=\"radio\" name=\"mode\" value=\"terminal\"" + (terminal ? " checked" : "") + "> Terminal (Claude Code's own screen, slash commands and all)</label></fieldset>"
                + (sessions.gpus().usable() ? "<label class=\"inline\"><input type=\"checkbox\" name=\"gpu\" value=\"on\" checked> Use the GPU ("
                        + Html.esc(String.join(", ", sessions.gpus().runDevices())) + ")</label>" : "")
                + networkChoice()
                + "<label>Task (optional in terminal mode)<textarea name=\"prompt\" rows=\"6\">" + Html.esc(prompt) + "</textarea></label>"
                + "<button type=\"submit\">Start</button> <span class=\"progress\" hidden>Starting the session…</span></form></section>");
    }

    /** The network policy select, the configured default first chosen; the allowlist shows what it allows. */
    private String networkChoice() {
        StringBuilder sb = new StringBuilder("<label>Network<select name=\"network\">");
        for (NetworkPolicy p : NetworkPolicy.values()) {
            String what = switch (p) {
                case FULL -> "full: anything, like this machine";
                case NONE -> "none: only the model API";
                case ALLOWLIST -> "allowlist: the model API and " + sessions.allowedHosts().hosts().size() + " allowed hosts";
            };
            sb.append("<option value=\"").append(p.label()).append('"').append(p == sessions.defaultNetwork() ? " selected" : "").append('>')
                    .append(Html.esc(what)).append("</option>");
        }
        return sb.append("</select></label>").toString();
    }

    private void create(Context ctx) {
        String repo = ctx.formParam("repo");
        String branch = ctx.formParam("branch");
        String prompt = ctx.formParam("prompt");
        String mode = ctx.formParam("mode");
        try {
            // Unchecked boxes are not sent: the GPU is used only when the form offered it and it stayed checked.
            Boolean gpu = sessions.gpus().usable() ? Boolean.valueOf("on".equals(ctx.formParam("gpu"))) : null;
            String network = ctx.formParam("network");
            // To the session's page at once: it shows how far the start is, then the session.
            Session s = sessions.submit(new NewSession(repo, branch, prompt, SessionMode.parse(mode), gpu,
                    network == null ? null : NetworkPolicy.parse(network)));
            ctx.redirect("/sessions/" + s.id() + (s.mode() == SessionMode.TERMINAL ? "/terminal" : ""));
        } catch (SessionException e) {
            ctx.status(WebServer.status(e.kind())).html(newSessionPage(csrf(ctx), e.getMessage(), nz(repo), nz(branch), nz(prompt), nz(mode)));
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private String settingsPage(Context ctx) {
        String csrf = csrf(ctx);
        String current = Guard.callerOf(ctx) instanceof Guard.Caller.Browser b ? b.login().idHash() : "";
        StringBuilder b = new StringBuilder(push.settingsSection(csrf)).append("<section class=\"card\"><h1>Logins</h1><ul class=\"logins\">");
        for (AuthStore.Login l : auth.logins()) {
            b.append("<li><b>").append(Html.esc(l.address())).append("</b> ").append(Html.esc(l.userAgent()))
                    .append(" <span class=\"meta\">since ").append(l.createdAt()).append(", last seen ").append(age(l.lastSeenAt()))
                    .append(l.idHash().equals(current) ? " (this browser)" : "").append("</span> ")
                    .append(Html.form("/settings/logins/" + l.idHash() + "/revoke", csrf, "Revoke", "danger")).append("</li>");
        }
        b.append("</ul></section><section class=\"card\"><h1>API tokens</h1><ul>");
        for (AuthStore.Token t : auth.tokens()) {
            b.append("<li><b>").append(Html.esc(t.name())).append("</b> <span class=\"meta\">created ").append(t.createdAt())
                    .append(t.lastUsedAt() == null ? ", never used" : ", last used " + age(t.lastUsedAt())).append("</span></li>");
        }
        b.append("</ul><p class=\"meta\">Create one with <code>./burrow token create NAME</code>; revoke with <code>./burrow token revoke NAME</code>.</p></section>");
        return Html.page("Settings", csrf, b.toString());
    }
}
