package dev.burrow.bench;

import dev.burrow.config.Config;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * `./burrow bench terminal`: how fast a session's shell output reaches a browser's WebSocket,
 * beside reading the same command's output straight from `podman exec`, and how long a key
 * takes to come back as its echo. A real session runs (container, tmux, the server's PTY).
 */
public final class TerminalBench {
    // 75 MB of random bytes is about 100 MB of base64 text.
    private static final String FLOOD = "head -c 75M /dev/urandom | base64";
    private static final int KEYSTROKES = 200;

    private final Config base;
    private final PrintStream out;

    public TerminalBench(Config base, PrintStream out) {
        this.base = base;
        this.out = out;
    }

    public int run(int runs) throws Exception {
        try (BenchServer bench = BenchServer.start(base, "terminal")) {
            String container = bench.session.containerId();
            URI uri = URI.create(bench.url("ws", "/api/sessions/" + bench.session.id() + "/terminal?window=shell&cols=160&rows=48"));
            out.println("bench terminal: `" + FLOOD + "` (about 100 MB) in the session's shell, " + runs + " runs each");
            List<Double> direct = new ArrayList<>();
            List<Double> viaTmux = new ArrayList<>();
            List<Double> viaSocket = new ArrayList<>();
            for (int i = 0; i < runs; i++) direct.add(directRate(container));
            // A tmux server of its own, so nothing of it reaches the session's terminals.
            for (int i = 0; i < runs; i++) viaTmux.add(localTmuxRate(container));
            try (Viewer viewer = Viewer.open(uri, bench.token)) {
                viewer.await("$ ", 30_000);
                long socketBytes = 0;
                for (int i = 0; i < runs; i++) {
                    Result r = viewer.flood();
                    viaSocket.add(r.mbPerSecond());
                    socketBytes = r.bytes();
                }
                double d = median(direct);
                double t = median(viaTmux);
                double w = median(viaSocket);
                out.printf("podman exec, read from a pipe:         median %7.1f MB/s  (floor)%n", d);
                out.printf("podman exec -it tmux, on a local PTY:  median %7.1f MB/s  = %.2f of the floor (tmux itself, no Burrow)%n", t, t / d);
                out.printf("WebSocket viewer (PTY, tmux, Burrow):  median %7.1f MB/s  = %.2f of the floor (target at least 0.70), %.2f of local tmux;"
                        + " %.1f MB crossed the socket%n", w, w / d, w / t, socketBytes / 1e6);
                List<Long> sorted = viewer.keystrokes(KEYSTROKES).stream().sorted().toList();
                out.printf("keystroke to echo (%d keys): p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  (target p99 at most 30 ms)%n",
                        sorted.size(), BenchServer.percentile(sorted, 0.50) / 1e6, BenchServer.percentile(sorted, 0.99) / 1e6, sorted.getLast() / 1e6);
            }
            return 0;
        }
    }

    /** The same command through `podman exec` with its output read from a pipe: MB/s of program output. */
    private static double directRate(String container) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("podman", "exec", container, "sh", "-c", FLOOD).redirectErrorStream(true).start();
        long bytes = 0;
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = p.getInputStream()) {
            for (int n; (n = in.read(buf)) > 0; ) bytes += n;
        }
        p.waitFor();
        return bytes / 1e6 / ((System.nanoTime() - t0) / 1e9);
    }

    /**
     * The same command in a tmux session of its own, attached on a PTY of this process the way a
     * local terminal would be: what tmux costs without Burrow's server and WebSocket in between.
     */
    private static double localTmuxRate(String container) throws Exception {
        String[] argv = {"podman", "exec", "-it", "--env", "TERM=xterm-256color", container,
                "tmux", "-L", "bench-local", "new-session", "-x", "160", "-y", "48", "bash", "--norc"};
        java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.put("TERM", "xterm-256color");
        var pty = new com.pty4j.PtyProcessBuilder(argv).setEnvironment(env).setInitialColumns(160).setInitialRows(48).start();
        StringBuilder tail = new StringBuilder();
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = pty.getInputStream()) {
            readUntil(in, buf, tail, "$ ");
            long t0 = System.nanoTime();
            pty.getOutputStream().write(("clear; " + FLOOD + "; echo FLOOD-$((40+2))-DONE\r").getBytes(StandardCharsets.UTF_8));
            pty.getOutputStream().flush();
            readUntil(in, buf, tail, "FLOOD-42-DONE");
            double seconds = (System.nanoTime() - t0) / 1e9;
            pty.getOutputStream().write("exit\r".getBytes(StandardCharsets.UTF_8));
            pty.getOutputStream().flush();
            return Viewer.PROGRAM_BYTES / 1e6 / seconds;
        } finally {
            pty.destroy();
        }
    }

    private static void readUntil(InputStream in, byte[] buf, StringBuilder tail, String marker) throws java.io.IOException {
        for (int n; (n = in.read(buf)) > 0; ) {
            tail.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            if (tail.indexOf(marker) >= 0) {
                tail.setLength(0);
                return;
            }
            if (tail.length() > 4096) tail.delete(0, tail.length() - 4096);
        }
        throw new IllegalStateException("the local terminal ended before it showed " + marker);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    record Result(double mbPerSecond, long bytes) {
    }

    /** A WebSocket client on the shell, as xterm.js is: it receives everything and looks for markers. */
    private static final class Viewer implements WebSocket.Listener, AutoCloseable {
        // The program's output size: 75 MiB of bytes as base64 with a new line every 76 characters.
        private static final long PROGRAM_BYTES = (75L * 1024 * 1024 + 2) / 3 * 4 * 77 / 76;
        private final StringBuilder tail = new StringBuilder();
        private final AtomicLong received = new AtomicLong();
        private volatile long lastArrival;
        private WebSocket ws;

        static Viewer open(URI uri, String token) throws Exception {
            Viewer v = new Viewer();
            v.ws = HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", "Bearer " + token)
                    .buildAsync(uri, v).get(30, TimeUnit.SECONDS);
            return v;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
            lastArrival = System.nanoTime();
            received.addAndGet(data.remaining());
            byte[] b = new byte[data.remaining()];
            data.get(b);
            synchronized (tail) {
                tail.append(new String(b, StandardCharsets.ISO_8859_1));
                if (tail.length() > 4096) tail.delete(0, tail.length() - 4096);
                tail.notifyAll();
            }
            socket.request(1);
            return null;
        }

        void type(String keys) {
            ws.sendBinary(ByteBuffer.wrap(keys.getBytes(StandardCharsets.UTF_8)), true).join();
        }

        void await(String marker, long millis) throws InterruptedException {
            long deadline = System.currentTimeMillis() + millis;
            synchronized (tail) {
                while (tail.indexOf(marker) < 0) {
                    long left = deadline - System.currentTimeMillis();
                    if (left <= 0) throw new IllegalStateException("the terminal never showed " + marker);
                    tail.wait(left);
                }
                tail.setLength(0);
            }
        }

        /** Runs the flood in the shell; the rate is the program's output over the time until its end marker arrived. */
        Result flood() throws InterruptedException {
            // The markers are computed by the shell, so the echoed command line never matches them.
            long before = received.get();
            long t0 = System.nanoTime();
            type("clear; " + FLOOD + "; echo FLOOD-$((40+2))-DONE\r");
            await("FLOOD-42-DONE", 600_000);
            double seconds = (System.nanoTime() - t0) / 1e9;
            return new Result(PROGRAM_BYTES / 1e6 / seconds, received.get() - before);
        }

        /** Types one key at a time at the prompt and times its echo; each is then erased. */
        List<Long> keystrokes(int count) throws InterruptedException {
            type("clear\r");
            Thread.sleep(500);
            List<Long> out = new ArrayList<>();
            for (int i = 0; i < count + 20; i++) {
                // Letters that no escape sequence tmux sends ends in, so the echo is unmistakable.
                char key = "wxyz".charAt(i % 4);
                long sent = System.nanoTime();
                type(String.valueOf(key));
                await(String.valueOf(key), 5_000);
                long took = lastArrival - sent;
                if (i >= 20) out.add(took); // the first keys warm the path up
                type("\u007f"); // backspace
                Thread.sleep(30);
                synchronized (tail) {
                    tail.setLength(0);
                }
            }
            return out;
        }

        @Override
        public void close() {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bench done");
        }
    }
}
