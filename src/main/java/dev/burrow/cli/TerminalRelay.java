package dev.burrow.cli;

import com.pty4j.PtyProcess;
import com.pty4j.PtyProcessBuilder;
import com.pty4j.WinSize;
import dev.burrow.terminal.EscapeFilter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * This terminal on a session's tmux, for `attach` and `run --tui`: the interactive exec runs
 * on a PTY of Burrow's, and what it prints reaches this terminal through an
 * {@link EscapeFilter}, because the container writes that stream (the agent can reconfigure
 * its tmux and write to its panes) and must not set the user's clipboard, pass sequences
 * through to the terminal, or send notifications. Keys go the other way as they are typed
 * (this terminal in raw mode while attached), and its size follows this terminal's.
 */
final class TerminalRelay {
    private TerminalRelay() {
    }

    /** Runs {@code argv} until it ends (tmux detached or its program exited); returns its exit code. */
    static int run(List<String> argv) throws IOException, InterruptedException {
        int[] size = size();
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("TERM", "xterm-256color");
        PtyProcess pty = new PtyProcessBuilder(argv.toArray(String[]::new)).setEnvironment(env).setInitialColumns(size[1])
                .setInitialRows(size[0]).setRedirectErrorStream(true).start();
        String saved = stty("-g").strip();
        Thread restore = new Thread(() -> stty(saved));
        Runtime.getRuntime().addShutdownHook(restore);
        stty("raw", "-echo");
        try {
            // The first size is applied after the child starts (a pty4j race); set it again.
            pty.setWinSize(new WinSize(size[1], size[0]));
            Thread keys = Thread.ofVirtual().name("terminal-keys").start(() -> pump(System.in, pty.getOutputStream(), null));
            Thread resize = Thread.ofVirtual().name("terminal-size").start(() -> followSize(pty, size));
            pump(pty.getInputStream(), System.out, new EscapeFilter());
            int code = pty.waitFor();
            keys.interrupt();
            resize.interrupt();
            return code;
        } finally {
            stty(saved);
            Runtime.getRuntime().removeShutdownHook(restore);
        }
    }

    private static void pump(InputStream in, OutputStream out, EscapeFilter filter) {
        byte[] buf = new byte[16 * 1024];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                if (filter == null) out.write(buf, 0, n);
                else out.write(filter.filter(buf, 0, n));
                out.flush();
            }
        } catch (IOException e) {
            // one side ended: the session's terminal, or this one
        }
    }

    /** SIGWINCH does not reach Java: the size is looked at a few times a second instead. */
    private static void followSize(PtyProcess pty, int[] last) {
        try {
            while (pty.isAlive()) {
                Thread.sleep(300);
                int[] now = size();
                if (now[0] != last[0] || now[1] != last[1]) {
                    pty.setWinSize(new WinSize(now[1], now[0]));
                    last = now;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** This terminal's rows and columns; 24 by 80 when it cannot say. */
    private static int[] size() {
        String[] parts = stty("size").strip().split("\\s+");
        try {
            if (parts.length == 2) return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
        } catch (NumberFormatException e) {
            // below
        }
        return new int[] {24, 80};
    }

    private static String stty(String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of("stty"));
        argv.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
