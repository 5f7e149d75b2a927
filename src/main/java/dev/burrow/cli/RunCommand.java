package dev.burrow.cli;

import dev.burrow.Burrow;
import dev.burrow.agent.AgentEvent;
import dev.burrow.host.HostSetup;
import dev.burrow.container.NetworkPolicy;
import dev.burrow.session.NewSession;
import dev.burrow.session.Session;
import dev.burrow.session.SessionMode;
import dev.burrow.session.SessionState;
import dev.burrow.store.StoredEvent;
import dev.burrow.terminal.Terminals;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "run", description = "Start a session and stream its first turn. The session stays up for follow-ups (./burrow resume).")
final class RunCommand implements Callable<Integer> {
    @Mixin
    Options options;

    @Option(names = "--repo", required = true, description = "A local git repository or a git URL.")
    String repo;

    @Option(names = "--branch", description = "The base branch (default: the repository's HEAD).")
    String branch;

    @Option(names = "--json", description = "One JSON event per line instead of readable text.")
    boolean json;

    @Option(names = "--gpu", negatable = true, description = "Give the container the host's GPU (default: when ./burrow doctor finds one sessions can use).")
    Boolean gpu;

    @Option(names = "--network", paramLabel = "POLICY",
            description = "full (anything), none (only the model API) or allowlist (the model API and BURROW_ALLOWED_HOSTS); default BURROW_NETWORK or full.")
    String network;

    @Option(names = "--tui", description = "Terminal mode: the interactive Claude Code in tmux, attached to this terminal (Ctrl-b d detaches).")
    boolean tui;

    @Option(names = "--no-serve", description = "Start the session in this process even when ./burrow serve runs on the same data dir.")
    boolean noServe;

    @Parameters(arity = "0..*", paramLabel = "PROMPT", description = "What the session should do.")
    List<String> prompt = List.of();

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        options.refuseRoot("run sessions");
        // A server on the same data dir makes the session (from its warm containers), and this process follows it.
        if (!tui && !noServe) {
            var serve = LocalServe.find(options.config().dataDir());
            if (serve.isPresent()) {
                Integer code = throughServer(new ServedRun(serve.get()), serve.get().url());
                if (code != null) return code;
            }
        }
        HostSetup.ensurePodman(Options::progress);
        try (Burrow burrow = options.start()) {
            Options.debug("run: started Burrow", t0);
            burrow.sessions().ensureRunnerImage(Options::progress);
            Options.debug("run: host checked", t0);
            // Older sessions are brought up to date beside the new one, not before it.
            Thread reconciled = Thread.ofVirtual().start(() -> burrow.sessions().reconcile(false));
            Session s;
            try {
                SessionMode mode = tui ? SessionMode.TERMINAL : SessionMode.CHAT;
                s = burrow.sessions().create(new NewSession(repo, branch, String.join(" ", prompt), mode, gpu,
                        network == null ? null : NetworkPolicy.parse(network)), Options::progress);
            } finally {
                // Never closing the database under it, even when the new session was refused.
                reconciled.join();
            }
            if (tui) return attachOrSay(burrow, s);
            return finish(burrow, new Transcript(System.out, json).follow(burrow.sessions(), s.id(), 0));
        }
    }

    /** The session made by the server, its events printed from there; null when no server answered after all. */
    private Integer throughServer(ServedRun served, String url) throws Exception {
        var request = ServedRun.JSON.createObjectNode();
        // A local path means this process's working dir, not the server's.
        java.nio.file.Path local = java.nio.file.Path.of(repo.startsWith("~/") ? System.getProperty("user.home") + repo.substring(1) : repo);
        request.put("repo", java.nio.file.Files.isDirectory(local) ? local.toAbsolutePath().normalize().toString() : repo);
        if (branch != null) request.put("branch", branch);
        request.put("prompt", String.join(" ", prompt)).put("mode", SessionMode.CHAT.label());
        if (gpu != null) request.put("gpu", gpu);
        if (network != null) request.put("network", NetworkPolicy.parse(network).label());
        var made = served.create(request);
        if (made.isEmpty()) return null;
        String id = made.get().path("id").asString();
        Options.progress("session " + made.get().path("shortId").asString() + " is made by the server at " + url);
        ServedRun.Outcome o = served.follow(id, new Transcript(System.out, json));
        System.err.println("burrow: session " + o.shortId() + " (" + id + ") on branch " + o.branch() + " is " + o.state()
                + (o.reason() == null ? "" : ": " + o.reason()));
        if (o.state().equals(SessionState.FAILED.label()) || o.state().equals(SessionState.STOPPED.label())) return 1;
        if (o.lastTurn().isPresent() && o.lastTurn().get().isError()) {
            AgentEvent.TurnResult r = o.lastTurn().get();
            System.err.println("burrow: the turn failed: " + (r.text().isBlank() ? r.subtype() : r.text()));
            return 1;
        }
        return 0;
    }

    /** Terminal mode: this terminal shows Claude Code's screen, or (without one) says how to get there. */
    private static int attachOrSay(Burrow burrow, Session s) throws Exception {
        System.err.println("burrow: session " + s.shortId() + " (" + s.id() + ") on branch " + s.branch() + " runs in the terminal");
        if (!AttachCommand.isTerminal()) {
            System.err.println("burrow: attach with ./burrow attach " + s.shortId() + ", or open its Terminal tab in the browser");
            return 0;
        }
        AttachCommand.attach(burrow.engine(), s.containerId(), Terminals.CLAUDE);
        return 0;
    }

    /** Prints where the work is and turns the outcome into an exit code. */
    static int finish(Burrow burrow, Session s) {
        System.err.println("burrow: session " + s.shortId() + " (" + s.id() + ") on branch " + s.branch() + " is " + s.state().label()
                + (s.reason() == null ? "" : ": " + s.reason()));
        if (s.state() == SessionState.FAILED || s.state() == SessionState.STOPPED) return 1;
        var last = burrow.sessions().lastTurnResult(s.id());
        if (last.isPresent()) {
            AgentEvent.TurnResult r = last.get();
            if (r.isError()) {
                System.err.println("burrow: the turn failed: " + (r.text().isBlank() ? r.subtype() : r.text()));
                return 1;
            }
            return 0;
        }
        return 0;
    }
}
