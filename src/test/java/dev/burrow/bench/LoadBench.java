package dev.burrow.bench;

import dev.burrow.Burrow;
import dev.burrow.config.Config;
import dev.burrow.container.ContainerState;
import dev.burrow.web.WebOptions;
import dev.burrow.web.WebServer;
import dev.burrow.workspace.Workspaces;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * `./burrow bench load`: N sessions asked for at once through the HTTP API, each then driven
 * through M turns against the scripted model and followed by an SSE client, as N phones would.
 * Reports the total time, the turn overhead (from the model's last streamed byte of a turn's
 * answer to the session's idle state at the SSE client; the save after it apart), events
 * lost or doubled between the store and the clients, containers left after the sessions are
 * deleted, and the peak RSS of the process (the server and the bench's own light clients).
 */
public final class LoadBench {
    private static final Pattern STATE = Pattern.compile("\"state\":\"([a-z]+)\"");
    private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");

    private final Config base;
    private final PrintStream out;

    public LoadBench(Config base, PrintStream out) {
        this.base = base;
        this.out = out;
    }

    /** What one session's SSE client saw: event ids, and state changes with their arrival times. */
    private static final class Follower {
        final List<Long> seqs = new CopyOnWriteArrayList<>();
        final List<long[]> states = new CopyOnWriteArrayList<>(); // {nanos, 1 idle / 2 running / 0 other}
        final List<Long> results = new CopyOnWriteArrayList<>(); // when each turn's result event arrived
        volatile Socket socket;
    }

    /** {@code modelMillis}: how long the scripted model waits before each answer (0: at once, the CPUs' worst case). */
    public int run(int sessions, int turns, long modelMillis) throws Exception {
        Path tmp = Files.createTempDirectory("burrow-bench-load-");
        AtomicLong peakRss = new AtomicLong();
        Thread sampler = Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peakRss.accumulateAndGet(rssKb(), Math::max);
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try (ScriptedModel model = new ScriptedModel()) {
            model.thinkMillis(modelMillis);
            Path repo = BenchRepo.create(tmp.resolve("repo"));
            try (Burrow burrow = Burrow.start(BenchRepo.config(base, tmp.resolve("data"), model, Duration.ofMinutes(30)));
                 WebServer server = WebServer.start(burrow, new WebOptions("127.0.0.1", 0, false, Set.of()))) {
                burrow.auth().setPassword("bench password");
                String token = burrow.auth().createToken("bench");
                String baseUrl = "http://127.0.0.1:" + server.port();
                HttpClient http = HttpClient.newHttpClient();
                out.println("bench load: " + sessions + " sessions asked for at once, " + turns + " turns each, an SSE client each; starts "
                        + burrow.config().maxStarts() + " at a time; rss at start " + rssKb() / 1024 + " MB");
                long t0 = System.nanoTime();
                List<Long> overheads = Collections.synchronizedList(new ArrayList<>());
                List<Long> saves = Collections.synchronizedList(new ArrayList<>());
                List<Long> burrowPart = Collections.synchronizedList(new ArrayList<>());
                List<Long> toResult = Collections.synchronizedList(new ArrayList<>());
                List<Long> afterResult = Collections.synchronizedList(new ArrayList<>());
                List<Long> toStored = Collections.synchronizedList(new ArrayList<>());
                // The store's times are wall-clock milliseconds: the model's nanoTime is put on the same clock.
                long wall0 = System.currentTimeMillis();
                long nano0 = System.nanoTime();
                Map<String, Follower> followers = new ConcurrentHashMap<>();
                List<String> failures = new CopyOnWriteArrayList<>();
                List<Thread> drivers = new ArrayList<>();
                for (int i = 0; i < sessions; i++) {
                    int n = i;
                    drivers.add(Thread.ofVirtual().start(() -> {
                        try {
                            String first = "LOAD " + n + " turn 0";
                            String id = post(http, baseUrl + "/api/sessions", token, "{\"repo\":\"" + repo + "\",\"prompt\":\"" + first + "\"}", 201);
                            Follower f = follow(baseUrl, token, id);
                            followers.put(id, f);
                            long posted = t0;
                            for (int k = 0; k < turns; k++) {
                                String prompt = "LOAD " + n + " turn " + k;
                                if (k > 0) {
                                    posted = System.nanoTime();
                                    post(http, baseUrl + "/api/sessions/" + id + "/messages", token, "{\"text\":\"" + prompt + "\"}", 202);
                                }
                                long idleAt;
                                try {
                                    idleAt = awaitIdleAfter(f, posted, k > 0, Duration.ofMinutes(5));
                                } catch (IllegalStateException e) {
                                    var now = burrow.sessions().get(id);
                                    throw new IllegalStateException("turn " + k + ": " + e.getMessage() + "; the session is " + now.state().label()
                                            + (now.reason() == null ? "" : " (" + now.reason() + ")") + "; states seen " + f.states.size(), e);
                                }
                                // The save runs between the turn's end and idle; its start and end are announced (two "running"
                                // states at the client just before idle): its time is reported apart and taken out of the overhead.
                                long save = saveBefore(f, posted, idleAt);
                                saves.add(save);
                                Long answered = model.answered().get(prompt);
                                if (answered != null) {
                                    overheads.add(idleAt - answered);
                                    burrowPart.add(Math.max(0, idleAt - answered - save));
                                    // Where that time goes: Claude Code ending its turn (and Burrow reading, storing and sending
                                    // the result), then Burrow's own steps from the stored result to idle, the save left out.
                                    long last = answered;
                                    f.results.stream().filter(t -> t >= last).findFirst().ifPresent(resultAt -> {
                                        toResult.add(resultAt - last);
                                        afterResult.add(Math.max(0, idleAt - resultAt - save));
                                    });
                                    // When Burrow stored the turn's result: what comes before it is Claude Code's and Burrow's read of the line.
                                    int turn = k;
                                    burrow.sessions().events(id, 0).stream().filter(ev -> ev.event() instanceof dev.burrow.agent.AgentEvent.TurnResult)
                                            .skip(turn).findFirst().ifPresent(ev -> toStored.add(
                                                    (ev.at().toEpochMilli() - (wall0 + (last - nano0) / 1_000_000)) * 1_000_000));
                                }
                            }
                        } catch (Exception e) {
                            failures.add("session " + n + ": " + e);
                        }
                    }));
                }
                for (Thread d : drivers) d.join();
                long total = System.nanoTime() - t0;
                // What the sessions cost while nobody uses them (a laptop's battery, a shared box): the last saves
                // settle, then the machine's busy CPU time and this process's own are taken over a quiet while.
                out.println("turns done in " + Math.round(total / 1e9) + " s; now measuring the idle sessions' CPU for 25 s");
                out.flush();
                Thread.sleep(5_000);
                long[] idle = idleCpu(Duration.ofSeconds(20));
                // Lost or doubled: what each client received against what the store holds.
                int lost = 0;
                int doubled = 0;
                for (var e : followers.entrySet()) {
                    List<Long> stored = burrow.sessions().events(e.getKey(), 0).stream().map(ev -> ev.seq()).toList();
                    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                    while (!new HashSet<>(e.getValue().seqs).containsAll(stored) && System.nanoTime() < deadline) Thread.sleep(50);
                    Set<Long> got = new HashSet<>(e.getValue().seqs);
                    for (Long s : stored) if (!got.contains(s)) lost++;
                    doubled += e.getValue().seqs.size() - got.size();
                    e.getValue().socket.close();
                }
                for (String id : followers.keySet()) burrow.sessions().delete(id);
                Set<String> ids = followers.keySet();
                long leaked = burrow.engine().listOwned().stream().map(ContainerState::sessionLabel).filter(ids::contains).count();
                sampler.interrupt();
                Collections.sort(overheads);
                Collections.sort(saves);
                Collections.sort(burrowPart);
                out.printf("total: %.1f s for %d turns (%d sessions x %d)%n", total / 1e9, overheads.size(), sessions, turns);
                if (!overheads.isEmpty()) {
                    out.printf("turn overhead, model's last byte to idle at the client: p50 %.1f ms, p99 %.1f ms%n",
                            BenchServer.percentile(overheads, 0.5) / 1e6, BenchServer.percentile(overheads, 0.99) / 1e6);
                }
                if (!burrowPart.isEmpty()) {
                    out.printf("  the save after each turn (before idle): p50 %.0f ms, p99 %.0f ms%n", BenchServer.percentile(saves, 0.5) / 1e6,
                            BenchServer.percentile(saves, 0.99) / 1e6);
                    out.printf("  the overhead without the save: p50 %.1f ms, p99 %.1f ms (target: p99 at most 100 ms)%n",
                            BenchServer.percentile(burrowPart, 0.5) / 1e6, BenchServer.percentile(burrowPart, 0.99) / 1e6);
                }
                if (!toResult.isEmpty()) {
                    Collections.sort(toResult);
                    Collections.sort(afterResult);
                    out.printf("    of which the model's last byte to the turn's result at the client (Claude Code ends its turn): p50 %.1f ms, p99 %.1f ms%n",
                            BenchServer.percentile(toResult, 0.5) / 1e6, BenchServer.percentile(toResult, 0.99) / 1e6);
                    out.printf("    and the result to idle, the save left out (Burrow's own steps): p50 %.1f ms, p99 %.1f ms%n",
                            BenchServer.percentile(afterResult, 0.5) / 1e6, BenchServer.percentile(afterResult, 0.99) / 1e6);
                }
                if (!toStored.isEmpty()) {
                    Collections.sort(toStored);
                    out.printf("    the model's last byte to the result stored by Burrow (Claude Code ends its turn, Burrow reads the line; ms clock):"
                            + " p50 %.0f ms, p99 %.0f ms%n", BenchServer.percentile(toStored, 0.5) / 1e6, BenchServer.percentile(toStored, 0.99) / 1e6);
                }
                out.printf("with the %d sessions idle for %d s: the machine's CPUs busy %.1f%% of one core, of which this process %.1f%%%n",
                        sessions, idle[0] / 1_000_000_000, 100.0 * idle[1] / idle[0], 100.0 * idle[2] / idle[0]);
                out.printf("events lost: %d, doubled: %d (target: 0 and 0)%n", lost, doubled);
                out.printf("containers left after deleting the sessions: %d (target: 0)%n", leaked);
                out.printf("peak RSS of the process (server and bench clients): %d MB (target: server at most 300 MB)%n",
                        Math.max(peakRss.get(), hwmKb()) / 1024);
                failures.forEach(f -> out.println("FAILED: " + f));
                return failures.isEmpty() && lost == 0 && doubled == 0 && leaked == 0 ? 0 : 1;
            }
        } finally {
            sampler.interrupt();
            Workspaces.deleteQuietly(tmp);
        }
    }

    private static String post(HttpClient http, String url, String token, String json, int expected) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
        Matcher m = ID.matcher(r.body());
        return m.find() ? m.group(1) : "";
    }

    /** An SSE client on its own socket, as a phone would be, recording event ids and state changes. */
    private static Follower follow(String baseUrl, String token, String id) throws Exception {
        Follower f = new Follower();
        URI uri = URI.create(baseUrl + "/api/sessions/" + id + "/events");
        Socket socket = new Socket(uri.getHost(), uri.getPort());
        socket.setTcpNoDelay(true);
        f.socket = socket;
        socket.getOutputStream().write(("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nAccept: text/event-stream\r\nAuthorization: Bearer " + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
                String event = "";
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("id: ")) f.seqs.add(Long.parseLong(line.substring(4).strip()));
                    else if (line.startsWith("event: ")) event = line.substring(7).strip();
                    else if (line.startsWith("data: ") && line.contains("\"type\":\"result\"") && !event.equals("state")) f.results.add(System.nanoTime());
                    else if (line.startsWith("data: ") && event.equals("state")) {
                        Matcher m = STATE.matcher(line);
                        if (m.find()) f.states.add(new long[] {System.nanoTime(), m.group(1).equals("idle") ? 1 : m.group(1).equals("running") ? 2 : 0});
                    }
                }
            } catch (Exception e) {
                // closed at the end
            }
        });
        return f;
    }

    /** When the client saw the session idle after {@code since} (after seeing it run, when {@code afterRunning}). */
    private static long awaitIdleAfter(Follower f, long since, boolean afterRunning, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline) {
            boolean ran = !afterRunning;
            for (long[] s : f.states) {
                if (s[0] < since) continue;
                if (s[1] == 2) ran = true;
                if (s[1] == 1 && ran) return s[0];
            }
            Thread.sleep(2);
        }
        throw new IllegalStateException("not idle within " + atMost.toSeconds() + " s");
    }

    /** The time between the last two "running" states the client saw before {@code idleAt}: the save's start and end. */
    private static long saveBefore(Follower f, long since, long idleAt) {
        List<Long> running = new ArrayList<>();
        for (long[] s : f.states) if (s[0] >= since && s[0] <= idleAt && s[1] == 2) running.add(s[0]);
        return running.size() < 2 ? 0 : running.getLast() - running.get(running.size() - 2);
    }

    /** {wall, the machine's busy CPU time, this process's CPU time} over {@code period}, in nanoseconds. */
    private static long[] idleCpu(Duration period) throws InterruptedException {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long busy0 = machineBusyTicks();
        long own0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        Thread.sleep(period.toMillis());
        long wall = System.nanoTime() - t0;
        // USER_HZ is 100 on every Linux that Burrow runs on.
        return new long[] {wall, (machineBusyTicks() - busy0) * 10_000_000L, os.getProcessCpuTime() - own0};
    }

    /** user + nice + system + irq + softirq + steal, in clock ticks, from the first line of /proc/stat. */
    private static long machineBusyTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long sum = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) sum += Long.parseLong(f[i]);
            return sum;
        } catch (Exception e) {
            return 0; // not Linux
        }
    }

    private static long rssKb() {
        return statusKb("VmRSS:");
    }

    private static long hwmKb() {
        return statusKb("VmHWM:");
    }

    private static long statusKb(String field) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith(field)) return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        } catch (Exception e) {
            // not Linux
        }
        return 0;
    }
}
