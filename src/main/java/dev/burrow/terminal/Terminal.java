package dev.burrow.terminal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import com.pty4j.PtyProcess;
import com.pty4j.WinSize;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PTY on the server running `podman exec -it CONTAINER tmux ...`, shared by every viewer
 * of that session's window: output goes to all of them, input comes from any. tmux keeps the
 * screen, so a viewer that reconnects gets it redrawn instead of a replay.
 */
final class Terminal {
    private static final Logger LOG = LoggerFactory.getLogger(Terminal.class);

    private final String key;
    private final PtyProcess pty;
    private final Set<Viewer> viewers = new CopyOnWriteArraySet<>();
    private final Runnable onEnd;
    // Input waits until the program has printed something: before tmux has put the PTY in raw
    // mode, the kernel would echo the keys and turn Enter into a new line.
    private final CountDownLatch attached = new CountDownLatch(1);

    Terminal(String key, PtyProcess pty, Runnable onEnd) {
        this.key = key;
        this.pty = pty;
        this.onEnd = onEnd;
        // A platform thread: the PTY's read is a native call that would hold a virtual thread's carrier for the terminal's life.
        Thread.ofPlatform().daemon().name("terminal-" + key).start(this::pump);
    }

    private void pump() {
        byte[] buf = new byte[16 * 1024];
        try (InputStream in = pty.getInputStream()) {
            for (int n; (n = in.read(buf)) > 0; ) {
                attached.countDown();
                byte[] chunk = Arrays.copyOf(buf, n);
                for (Viewer v : viewers) v.output(chunk);
            }
        } catch (IOException e) {
            LOG.debug("terminal {} output ended: {}", key, e.toString());
        }
        int code;
        try {
            code = pty.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = -1;
        }
        attached.countDown();
        onEnd.run();
        for (Viewer v : viewers) v.ended("the terminal program exited (code " + code + ")");
    }

    void add(Viewer v) {
        viewers.add(v);
    }

    /** Removes a viewer; returns true when none is left. */
    boolean remove(Viewer v) {
        viewers.remove(v);
        return viewers.isEmpty();
    }

    void input(byte[] bytes) throws IOException {
        try {
            attached.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the terminal was starting");
        }
        OutputStream out = pty.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    /** Resizes the PTY; the kernel sends SIGWINCH to what runs in it. */
    void resize(int columns, int rows) {
        if (columns < 1 || rows < 1 || columns > 1000 || rows > 1000) throw new IllegalArgumentException("bad terminal size " + columns + "x" + rows);
        if (pty.isAlive()) pty.setWinSize(new WinSize(columns, rows));
    }

    void close() {
        pty.destroy();
    }
}
