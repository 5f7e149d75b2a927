package dev.burrow.session;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's connection to one running agent, through the session's run dir: it writes
 * the user's messages into the agent's input FIFO and follows the agent's output file from a
 * byte offset, handing over each complete line with the offset just past it. Because the agent
 * runs detached in its container, a new Burrow process can take over where an old one stopped.
 */
final class AgentLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentLink.class);
    private static final long FAST_POLL_MS = 2;
    private static final long SLOW_POLL_MS = 100;
    private static final long FAST_WINDOW_NS = 3_000_000_000L;

    interface Handler {
        /** One complete line of output; {@code endOffset} is the byte offset just past it. */
        void onLine(String line, long endOffset);

        /** The agent process ended; every line it printed has been handed over. */
        void onExit(int exitCode, boolean idleTimeout);
    }

    private final Path runDir;
    private final Handler handler;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile long position;
    private volatile boolean closed;
    private volatile long lastActivity = System.nanoTime();
    private RandomAccessFile input;
    private Thread thread;

    AgentLink(Path runDir, long offset, Handler handler) {
        this.runDir = Objects.requireNonNull(runDir);
        this.position = offset;
        this.handler = Objects.requireNonNull(handler);
    }

    void start(String sessionShortId) {
        thread = Thread.ofVirtual().name("agent-" + sessionShortId).start(this::follow);
    }

    /** Writes one line to the agent's stdin. */
    synchronized void write(String line) throws IOException {
        if (input == null) {
            // Read-write, so the open never blocks waiting for a reader; the agent's side
            // holds the FIFO open for as long as it runs.
            input = new RandomAccessFile(runDir.resolve("in.fifo").toFile(), "rw");
        }
        input.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        lastActivity = System.nanoTime();
    }

    /** Waits until every complete line written so far has been handed over (or the time is up). */
    void catchUp(long millis) throws InterruptedException {
        Path out = runDir.resolve("out.jsonl");
        long deadline = System.nanoTime() + millis * 1_000_000;
        try {
            while (Files.exists(out) && position < Files.size(out) && System.nanoTime() < deadline && done.getCount() > 0) Thread.sleep(10);
        } catch (IOException e) {
            LOG.debug("cannot size {}: {}", out, e.toString());
        }
    }

    boolean awaitEnd(long millis) throws InterruptedException {
        return done.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void follow() {
        Path out = runDir.resolve("out.jsonl");
        Path exit = runDir.resolve("agent.exit");
        ByteArrayOutputStream partial = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        FileChannel ch = null;
        try {
            while (!closed) {
                if (ch == null && Files.exists(out)) ch = FileChannel.open(out, StandardOpenOption.READ);
                int n = 0;
                if (ch != null) {
                    buf.clear();
                    n = ch.read(buf, position + partial.size());
                    if (n > 0) {
                        lastActivity = System.nanoTime();
                        byte[] b = buf.array();
                        int lineStart = 0;
                        for (int i = 0; i < n; i++) {
                            if (b[i] != '\n') continue;
                            partial.write(b, lineStart, i - lineStart);
                            byte[] line = partial.toByteArray();
                            partial.reset();
                            lineStart = i + 1;
                            long end = position + line.length + 1;
                            String text = new String(line, StandardCharsets.UTF_8);
                            if (!text.isBlank()) handler.onLine(text, end);
                            position = end;
                        }
                        partial.write(b, lineStart, n - lineStart);
                        continue;
                    }
                }
                if (Files.exists(exit)) {
                    // Read once more after seeing the exit file: the last lines may have landed just before it.
                    if (ch != null && ch.size() > position + partial.size()) continue;
                    int code = parseExit(exit);
                    handler.onExit(code, Files.exists(runDir.resolve("idle")));
                    return;
                }
                long quiet = System.nanoTime() - lastActivity;
                Thread.sleep(quiet < FAST_WINDOW_NS ? FAST_POLL_MS : SLOW_POLL_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            if (!closed) LOG.warn("following {} failed: {}", out, e.toString());
        } finally {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // nothing to do
                }
            }
            done.countDown();
        }
    }

    private static int parseExit(Path exit) {
        try {
            return Integer.parseInt(Files.readString(exit).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        // From its own thread (the agent ended and the session is being wound up), the loop ends by itself.
        if (thread != null && thread != Thread.currentThread()) thread.interrupt();
        if (input != null) {
            try {
                input.close();
            } catch (IOException ignored) {
                // closing our end of the FIFO cannot lose anything: the agent holds its own
            }
            input = null;
        }
    }
}
