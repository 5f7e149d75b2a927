package dev.burrow.session;

import dev.burrow.container.AgentPipe;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's connection to one running agent, through its {@link AgentPipe}: it writes the
 * user's messages into the agent's stdin and follows the agent's output from a byte offset,
 * handing over each complete line with the offset just past it. Because the agent runs
 * detached in its container, a new Burrow process can take over where an old one stopped.
 */
final class AgentLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentLink.class);
    private static final long FAST_POLL_MS = 2;
    private static final long SLOW_POLL_MS = 100;
    private static final long FAST_WINDOW_NS = 3_000_000_000L;

    /** The longest line handed over whole; the rest of a longer one is counted, not kept (8 MiB). */
    static final int MAX_LINE_BYTES = 8 << 20;

    interface Handler {
        /**
         * One complete line of output; {@code endOffset} is the byte offset just past it, and
         * {@code cutBytes} how many bytes past {@link #MAX_LINE_BYTES} were left out of it.
         */
        void onLine(String line, long endOffset, long cutBytes);

        /** The agent process ended; every line it printed has been handed over. */
        void onExit(int exitCode, boolean idleTimeout);
    }

    private final AgentPipe pipe;
    private final Handler handler;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile long position;
    private volatile boolean closed;
    private volatile long lastActivity = System.nanoTime();
    private Thread thread;

    AgentLink(AgentPipe pipe, long offset, Handler handler) {
        this.pipe = Objects.requireNonNull(pipe);
        this.position = offset;
        this.handler = Objects.requireNonNull(handler);
    }

    void start(String sessionShortId) {
        thread = Thread.ofVirtual().name("agent-" + sessionShortId).start(this::follow);
    }

    /** Writes one line to the agent's stdin. */
    void write(String line) throws IOException {
        pipe.write(line);
        lastActivity = System.nanoTime();
    }

    /** Waits until every complete line written so far has been handed over (or the time is up). */
    void catchUp(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        try {
            while (position < pipe.size() && System.nanoTime() < deadline && done.getCount() > 0) Thread.sleep(10);
        } catch (IOException e) {
            LOG.debug("cannot size the agent's output: {}", e.toString());
        }
    }

    boolean awaitEnd(long millis) throws InterruptedException {
        return done.await(millis, TimeUnit.MILLISECONDS);
    }

    /** The agent is gone without saying so: the reader stops after its last line. */
    void markGone() throws IOException {
        pipe.markGone();
    }

    private void follow() {
        // The line being read: its first MAX_LINE_BYTES bytes, and how many bytes it has in all.
        ByteArrayOutputStream partial = new ByteArrayOutputStream();
        long lineBytes = 0;
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        try {
            while (!closed) {
                buf.clear();
                int n = pipe.read(position + lineBytes, buf);
                if (n > 0) {
                    lastActivity = System.nanoTime();
                    byte[] b = buf.array();
                    int lineStart = 0;
                    for (int i = 0; i <= n; i++) {
                        if (i < n && b[i] != '\n') continue;
                        // The container decides how long a line is: keep at most MAX_LINE_BYTES of it.
                        int keep = (int) Math.max(0, Math.min(i - lineStart, MAX_LINE_BYTES - partial.size()));
                        partial.write(b, lineStart, keep);
                        lineBytes += i - lineStart;
                        if (i == n) break;
                        long end = position + lineBytes + 1;
                        long cut = lineBytes - partial.size();
                        String text = new String(partial.toByteArray(), StandardCharsets.UTF_8);
                        partial.reset();
                        lineBytes = 0;
                        lineStart = i + 1;
                        if (!text.isBlank()) handler.onLine(text, end, cut);
                        position = end;
                    }
                    continue;
                }
                OptionalInt exit = pipe.exitCode();
                if (exit.isPresent()) {
                    // Read once more after seeing the exit: the last lines may have landed just before it.
                    if (pipe.size() > position + lineBytes) continue;
                    handler.onExit(exit.getAsInt(), pipe.idleTimedOut());
                    return;
                }
                long quiet = System.nanoTime() - lastActivity;
                Thread.sleep(quiet < FAST_WINDOW_NS ? FAST_POLL_MS : SLOW_POLL_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            if (!closed) LOG.warn("following the agent's output failed: {}", e.toString());
        } finally {
            done.countDown();
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        // From its own thread (the agent ended and the session is being wound up), the loop ends by itself.
        if (thread != null && thread != Thread.currentThread()) thread.interrupt();
        pipe.close();
    }
}
