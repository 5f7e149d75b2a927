package dev.burrow.terminal;

import dev.burrow.container.ContainerEngine;
import com.pty4j.PtyProcessBuilder;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The terminals of all sessions: one per session and window, started for its first viewer and
 * ended (the PTY and its `podman exec` reaped) when its last viewer leaves. tmux inside the
 * container keeps running either way, so nothing is lost when the browser closes.
 */
public final class Terminals implements AutoCloseable {
    /**
     * The windows a session has; each is a tmux session in the container. "claude" is the
     * interactive Claude Code of a terminal-mode session (started by the container itself);
     * "shell" is bash in /workspace, started by its first viewer, in every session.
     */
    public static final String CLAUDE = "claude";
    public static final String SHELL = "shell";
    public static final List<String> WINDOWS = List.of(CLAUDE, SHELL);

    private final ContainerEngine engine;
    private final Map<String, Terminal> open = new HashMap<>();

    public Terminals(ContainerEngine engine) {
        this.engine = Objects.requireNonNull(engine);
    }

    /** A viewer's handle on a terminal. */
    public interface Attachment {
        void input(byte[] bytes) throws IOException;

        void resize(int columns, int rows);

        void detach();
    }

    /** The interactive exec (`podman exec -it ...` locally) that attaches to (or starts) a window's tmux session. */
    public List<String> command(String containerId, String window) {
        if (!WINDOWS.contains(window)) throw new IllegalArgumentException("no window " + window + "; there is: " + String.join(", ", WINDOWS));
        List<String> tmux = window.equals(CLAUDE)
                ? List.of("tmux", "attach-session", "-t", CLAUDE)
                : List.of("tmux", "new-session", "-A", "-s", SHELL, "-c", "/workspace", "bash", "-l");
        return engine.terminalExecArgv(containerId, Map.of("TERM", "xterm-256color"), "/workspace", tmux);
    }

    public synchronized Attachment attach(String containerId, String window, int columns, int rows, Viewer viewer) throws IOException {
        String key = containerId + "/" + window;
        Terminal t = open.get(key);
        if (t == null) {
            List<String> argv = command(containerId, window);
            Map<String, String> env = new HashMap<>(System.getenv());
            env.put("TERM", "xterm-256color");
            var pty = new PtyProcessBuilder(argv.toArray(String[]::new)).setEnvironment(env).setInitialColumns(columns)
                    .setInitialRows(rows).setRedirectErrorStream(true).start();
            Terminal created = new Terminal(key, pty, () -> forget(key));
            open.put(key, created);
            t = created;
        }
        Terminal terminal = t;
        terminal.add(viewer);
        // The first size is applied after the child starts (a pty4j race); set it again.
        terminal.resize(columns, rows);
        return new Attachment() {
            public void input(byte[] bytes) throws IOException {
                terminal.input(bytes);
            }

            public void resize(int c, int r) {
                terminal.resize(c, r);
            }

            public void detach() {
                synchronized (Terminals.this) {
                    if (terminal.remove(viewer)) {
                        open.remove(key, terminal);
                        terminal.close();
                    }
                }
            }
        };
    }

    private synchronized void forget(String key) {
        open.remove(key);
    }

    /** How many PTYs are open now (for tests and diagnostics). */
    public synchronized int openCount() {
        return open.size();
    }

    @Override
    public synchronized void close() {
        open.values().forEach(Terminal::close);
        open.clear();
    }
}
