package dev.burrow.bench;

import dev.burrow.config.Config;
import dev.burrow.session.Session;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * `./burrow bench events`: the latency Burrow adds between a line Claude Code prints and its
 * arrival as an SSE event at a client, alone and with 50 subscribers to one session. A real
 * session runs (container, Claude Code, scripted model); once it is idle, the bench appends
 * timestamped lines to the agent's output file, exactly where Claude Code's stdout goes, and
 * the clients time their arrival. What is measured is Burrow's part: following the file,
 * storing the event, and streaming it.
 */
public final class EventsBench {
    private static final Pattern STAMP = Pattern.compile("\\\\?\"bench_nanos\\\\?\":(\\d+)");
    private static final int LINES = 200;
    private static final int WARMUP = 100;

    private final Config base;
    private final PrintStream out;

    public EventsBench(Config base, PrintStream out) {
        this.base = base;
        this.out = out;
    }

    public int run() throws Exception {
        try (BenchServer bench = BenchServer.start(base, "events")) {
            Session s = bench.session;
            String url = bench.url("http", "/api/sessions/" + s.id() + "/events");
            Path output = s.runDir().resolve("out.jsonl");
            out.println("bench events: " + WARMUP + " warm-up lines, then " + LINES + " timed lines appended to the agent's output, 20 ms apart");
            for (int subscribers : new int[] {1, 50}) {
                List<Long> latencies = measure(url, bench.token, output, subscribers, bench.burrow.sessions().events(s.id(), 0).size());
                report(subscribers, latencies);
            }
            out.println("target: p99 at most 20 ms added");
            return 0;
        }
    }

    private List<Long> measure(String url, String token, Path output, int subscribers, long after) throws Exception {
        URI uri = URI.create(url + "?after=" + after);
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch connected = new CountDownLatch(subscribers);
        CountDownLatch done = new CountDownLatch(subscribers);
        List<Thread> readers = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            readers.add(Thread.ofVirtual().start(() -> {
                // A plain socket per subscriber, as separate browsers would be: the JDK's HttpClient
                // funnels every response through one selector thread and would measure itself.
                try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
                    socket.setTcpNoDelay(true);
                    String request = "GET " + uri.getRawPath() + "?" + uri.getRawQuery() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                            + "\r\nAccept: text/event-stream\r\nAuthorization: Bearer " + token + "\r\n\r\n";
                    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    connected.countDown();
                    int seen = 0;
                    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                    for (String line; seen < LINES && (line = in.readLine()) != null; ) {
                        if (!line.startsWith("data:")) continue;
                        Matcher m = STAMP.matcher(line);
                        if (m.find()) {
                            latencies.add(System.nanoTime() - Long.parseLong(m.group(1)));
                            seen++;
                        }
                    }
                } catch (Exception e) {
                    connected.countDown();
                } finally {
                    done.countDown();
                }
            }));
        }
        connected.await(30, TimeUnit.SECONDS);
        Thread.sleep(500); // let every stream finish its replay
        // Unmeasured lines first, so the JIT has compiled the fan-out before anything is timed.
        for (int i = 0; i < WARMUP; i++) {
            Files.writeString(output, "{\"type\":\"bench_warmup\",\"n\":" + i + "}\n", StandardOpenOption.APPEND);
            Thread.sleep(20);
        }
        for (int i = 0; i < LINES; i++) {
            String line = "{\"type\":\"bench\",\"n\":" + i + ",\"bench_nanos\":" + System.nanoTime() + "}\n";
            Files.writeString(output, line, StandardOpenOption.APPEND);
            Thread.sleep(20);
        }
        done.await(60, TimeUnit.SECONDS);
        readers.forEach(Thread::interrupt);
        return new ArrayList<>(latencies);
    }

    private void report(int subscribers, List<Long> nanos) {
        if (nanos.isEmpty()) {
            out.printf("%2d subscriber(s): no events arrived%n", subscribers);
            return;
        }
        List<Long> sorted = nanos.stream().sorted().toList();
        out.printf("%2d subscriber(s): %5d events  p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms%n", subscribers, sorted.size(),
                BenchServer.percentile(sorted, 0.50) / 1e6, BenchServer.percentile(sorted, 0.99) / 1e6,
                sorted.getLast() / 1e6);
    }
}
