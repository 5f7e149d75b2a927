package dev.burrow.cli;

import dev.burrow.Burrow;
import dev.burrow.session.Session;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `./burrow attach ID --shell`: the user's own terminal on the session's tmux session, the
 * same one the browser's Terminal tab shows. Detach with tmux's prefix, d (Ctrl-b d).
 */
@Command(name = "attach", description = "Attach this terminal to a session's shell (tmux; Ctrl-b d detaches).")
final class AttachCommand implements Callable<Integer> {
    @Mixin
    Options options;

    @Option(names = "--shell", description = "The session's shell window (today the only one; the interactive Claude Code window comes later).")
    boolean shell;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() throws Exception {
        if (!shell) throw new IllegalArgumentException("only the shell can be attached for now: ./burrow attach " + id + " --shell");
        String container;
        try (Burrow burrow = options.start()) {
            burrow.sessions().reconcile(false);
            Session s = burrow.sessions().get(id);
            if (!s.state().live() || s.containerId() == null) {
                throw new IllegalArgumentException("session " + s.shortId() + " is " + s.state().label() + "; resume it first: ./burrow resume " + s.shortId());
            }
            container = s.containerId();
        }
        List<String> argv = new dev.burrow.terminal.Terminals("podman").command(container, "shell");
        return new ProcessBuilder(argv).inheritIO().start().waitFor();
    }
}
