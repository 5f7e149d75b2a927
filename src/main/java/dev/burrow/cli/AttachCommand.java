package dev.burrow.cli;

import dev.burrow.Burrow;
import dev.burrow.session.Session;
import dev.burrow.session.SessionMode;
import dev.burrow.container.ContainerEngine;
import dev.burrow.terminal.Terminals;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `./burrow attach ID [--shell]`: the user's own terminal on the session's tmux session, the
 * same one the browser's Terminal tab shows: Claude Code's screen for a terminal-mode
 * session, or the shell. Detach with tmux's prefix, d (Ctrl-b d); the session stays up.
 */
@Command(name = "attach", description = "Attach this terminal to a session's Claude Code (terminal mode) or its shell (tmux; Ctrl-b d detaches).")
final class AttachCommand implements Callable<Integer> {
    @Mixin
    Options options;

    @Option(names = "--shell", description = "The session's shell (bash in /workspace) instead of Claude Code.")
    boolean shell;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() throws Exception {
        try (Burrow burrow = options.start()) {
            burrow.sessions().reconcile(false);
            Session s = burrow.sessions().get(id);
            if (!shell && s.mode() != SessionMode.TERMINAL) {
                throw new IllegalArgumentException("session " + s.shortId() + " runs in chat mode: attach its shell with ./burrow attach "
                        + s.shortId() + " --shell, or continue it in the terminal with ./burrow mode " + s.shortId() + " terminal");
            }
            if (!s.state().live() || s.containerId() == null) {
                throw new IllegalArgumentException("session " + s.shortId() + " is " + s.state().label() + "; resume it first: ./burrow resume " + s.shortId());
            }
            // While attached, this process keeps the session's doors open and stores its events,
            // unless the server already does: without it, a session under the none policy has no model.
            burrow.sessions().followLive(s.id());
            return attach(burrow.engine(), s.containerId(), shell ? Terminals.SHELL : Terminals.CLAUDE);
        }
    }

    /** Whether this process's stdin is a terminal (System.console() says yes to pipes on JDK 22 and later). */
    static boolean isTerminal() throws Exception {
        return new ProcessBuilder("test", "-t", "0").redirectInput(ProcessBuilder.Redirect.INHERIT).start().waitFor() == 0;
    }

    /**
     * Runs `podman exec -it ... tmux` for this terminal until the user detaches or the program
     * ends, through a {@link TerminalRelay}: what the container's tmux prints is filtered.
     */
    static int attach(ContainerEngine engine, String container, String window) throws Exception {
        List<String> argv = new Terminals(engine).command(container, window);
        System.err.println("burrow: attaching; Ctrl-b d detaches and leaves the session running");
        return TerminalRelay.run(argv);
    }
}
