package dev.burrow.bench;

import dev.burrow.Burrow;
import dev.burrow.agent.AgentEvent;
import dev.burrow.config.Config;
import dev.burrow.container.NetworkPolicy;
import dev.burrow.session.NewSession;
import dev.burrow.session.Session;
import dev.burrow.session.SessionManager;
import dev.burrow.session.SessionState;
import dev.burrow.store.StoredEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * `./burrow bench start`: how long from starting a session to its first assistant event,
 * against the scripted model, beside the floor: a bare `podman run --rm IMAGE claude -p`
 * timed to its first assistant line. Prints min, median and max of each.
 */
public final class StartBench {
    private final Config base;
    private final int runs;
    private final NetworkPolicy network;
    private final java.util.Set<String> parts;
    private final PrintStream out;

    /** What can be measured beside the floor (`--only`). */
    public static final java.util.Set<String> PARTS = java.util.Set.of("process", "environment", "warm", "cli");

    /** {@code network}: the policy of the sessions measured (the floor always has the plain network). */
    public StartBench(Config base, int runs, NetworkPolicy network, java.util.Set<String> parts, PrintStream out) {
        this.base = base;
        this.runs = runs;
        this.network = network;
        if (!PARTS.containsAll(parts)) throw new IllegalArgumentException("--only takes " + String.join(", ", new java.util.TreeSet<>(PARTS)));
        this.parts = parts;
        this.out = out;
    }

    public int run() throws Exception {
        Path tmp = Files.createTempDirectory("burrow-bench-");
        try (ScriptedModel model = new ScriptedModel()) {
            Path repo = BenchRepo.create(tmp.resolve("repo"));
            Config config = BenchRepo.config(base, tmp.resolve("data"), model, Duration.ofMinutes(5));
            List<Double> floor = new ArrayList<>();
            List<Double> engine = new ArrayList<>();
            List<Double> cli = new ArrayList<>();
            List<Double> saves = new ArrayList<>();
            List<Double> execFloor = new ArrayList<>();
            List<Double> cached = new ArrayList<>();
            try (Burrow burrow = Burrow.start(config)) {
                // As `serve` does: the Podman API service runs, and image reads go through it.
                burrow.startPodmanService();
                String image = burrow.sessions().runnerImage();
                if (!burrow.engine().imageExists(image)) {
                    out.println("the runner image " + image + " is missing; run ./burrow image build first");
                    return 1;
                }
                out.printf("bench start: %d runs each, image %s, sessions' network policy %s%n", runs, image, network.label());
                for (int i = 0; i < runs; i++) floor.add(bareRun(image, model.baseUrl()));
                report("floor: podman run --rm IMAGE claude -p", floor);
                // One unmeasured session first: the first Claude Code start in a fresh config is slower.
                engineRun(burrow.sessions(), repo, new ArrayList<>(), new ArrayList<>(), burrow);
                if (parts.contains("process")) {
                    for (int i = 0; i < runs; i++) engine.add(engineRun(burrow.sessions(), repo, saves, execFloor, burrow));
                    report("burrow: session create -> first assistant event (in process)", engine);
                    report("floor: podman exec CONTAINER true", execFloor);
                    report("burrow: save after a turn (bundle in the container, fetch here)", saves);
                }
                // A repository of its own environment (the runner's base image, a setup command): built and set up
                // by one unmeasured session, then started from its set-up image.
                Path envRepo = BenchRepo.create(tmp.resolve("env-repo"), ".devcontainer/devcontainer.json",
                        "{\"image\": \"" + config.baseImage() + "\", \"onCreateCommand\": \"sudo touch /etc/set-up\"}\n");
                if (!parts.contains("environment")) {
                    // not asked for
                } else if (burrow.engine().imageExists(config.baseImage())) {
                    engineRun(burrow.sessions(), envRepo, new ArrayList<>(), new ArrayList<>(), burrow);
                    for (int i = 0; i < runs; i++) cached.add(engineRun(burrow.sessions(), envRepo, new ArrayList<>(), new ArrayList<>(), burrow));
                    report("burrow: session of a set-up environment -> first assistant event", cached);
                } else {
                    out.println("no " + config.baseImage() + " here: the cached environment's start is not measured");
                }
            }
            // Warm containers (BURROW_WARM=1, as the server keeps them): one unmeasured session marks the repository as
            // used; each measured one then claims the warm container made since, once it has settled.
            List<Double> warm = new ArrayList<>();
            double idleCpu = -1;
            if (parts.contains("warm")) try (Burrow burrow = Burrow.start(config.withWarm(1))) {
                burrow.startPodmanService();
                burrow.sessions().keepWarm();
                engineRun(burrow.sessions(), repo, new ArrayList<>(), new ArrayList<>(), burrow);
                for (int i = 0; i < runs; i++) {
                    String c = awaitWarm(burrow.sessions());
                    if (i == 0) idleCpu = idleCpu(burrow, c, Duration.ofSeconds(10));
                    else Thread.sleep(2000);
                    warm.add(engineRun(burrow.sessions(), repo, new ArrayList<>(), new ArrayList<>(), burrow));
                }
                report("burrow: session claiming a warm container -> first assistant event", warm);
                if (idleCpu >= 0) out.printf("a warm container waiting: %.2f%% of a core over 10 s (target: at most 1%%)%n", idleCpu);
            }
            Path jar = jar();
            if (jar != null && parts.contains("cli")) {
                List<Double> alone = new ArrayList<>();
                for (int i = 0; i < runs; i++) alone.add(cliRun(jar, config, repo));
                report("./burrow run (a new process, no server) -> first assistant line", alone);
                // As a user with `serve` running runs it: the server makes the session, from its warm container.
                Process serve = serveProcess(jar, config);
                try {
                    cliRun(jar, config, repo); // marks the repository as used: the server keeps a container warm for it
                    for (int i = 0; i < runs; i++) {
                        awaitWarmDir(config.dataDir().resolve("sessions"));
                        Thread.sleep(2000);
                        cli.add(cliRun(jar, config, repo));
                    }
                } finally {
                    serve.destroy();
                    serve.waitFor(30, TimeUnit.SECONDS);
                }
                report("./burrow run (a new process, serve running) -> first assistant line", cli);
                // The runs left their sessions idle, as `run` does; remove them with their containers.
                try (Burrow burrow = Burrow.start(config)) {
                    burrow.sessions().reconcile(false);
                    burrow.sessions().list().forEach(s -> burrow.sessions().delete(s.id()));
                }
            }
            double f = median(floor);
            if (!engine.isEmpty()) out.printf("median ratio, in process: %.2fx the floor (target: at most 1.5x)%n", median(engine) / f);
            if (!cached.isEmpty()) out.printf("median ratio, set-up environment: %.2fx the floor (target: at most 1.0x)%n", median(cached) / f);
            if (!warm.isEmpty()) out.printf("median ratio, warm: %.2fx the floor (target: at most 0.5x)%n", median(warm) / f);
            if (!cli.isEmpty()) out.printf("median ratio, burrow run command (serve running): %.2fx the floor (target: at most 1.3x)%n", median(cli) / f);
            if (!saves.isEmpty()) out.printf("median save after a turn: %.0f ms (target: at most 300 ms on a small repository)%n", median(saves) * 1000);
            return 0;
        } finally {
            dev.burrow.workspace.Workspaces.deleteQuietly(tmp);
        }
    }

    private double bareRun(String image, String baseUrl) throws IOException, InterruptedException {
        String url = baseUrl.replace("127.0.0.1", "10.0.2.2");
        List<String> argv = List.of("podman", "run", "--rm", "--init", "--userns=" + dev.burrow.container.RunnerImage.KEEP_ID_USERNS,
                "--network=slirp4netns:allow_host_loopback=true", "--label", "burrow.session=bench",
                "--env", "ANTHROPIC_BASE_URL=" + url, "--env", "ANTHROPIC_API_KEY=bench-key",
                "--env", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1", "--env", "DISABLE_TELEMETRY=1",
                image, "claude", "-p", "--output-format", "stream-json", "--verbose", "say hello");
        return timeToAssistantLine(argv);
    }

    /** `./burrow serve` on the bench's data dir, keeping one warm container per key; returned once it has written its file for `run`. */
    private Process serveProcess(Path jar, Config config) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(launcher(jar));
        argv.addAll(List.of("serve", "--allow-root", "--data-dir", config.dataDir().toString(), "--port", "0"));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(cliEnv(config));
        pb.environment().put("BURROW_WARM", "1");
        Process p = pb.start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(config.dataDir().resolve("serve.json"))) {
            if (!p.isAlive() || System.nanoTime() > deadline) throw new IllegalStateException("./burrow serve did not start");
            Thread.sleep(50);
        }
        return p;
    }

    /** Waits for the server's warm container: a session dir with the warm marker. */
    private static void awaitWarmDir(Path sessions) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(sessions)) {
                try (var dirs = Files.list(sessions)) {
                    if (dirs.anyMatch(d -> Files.exists(d.resolve("warm")))) return;
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("no warm container within 2 minutes");
    }

    private static List<String> launcher(Path jar) {
        // Through the ./burrow launcher when it sits beside target/, as a user runs it.
        Path launcher = jar.toAbsolutePath().getParent().resolveSibling("burrow");
        return Files.isExecutable(launcher) ? List.of(launcher.toString())
                : List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString());
    }

    private static Map<String, String> cliEnv(Config config) {
        return Map.of("ANTHROPIC_BASE_URL", config.baseUrl(), "ANTHROPIC_API_KEY", "bench-key",
                "BURROW_GIT_NAME", "Burrow Bench", "BURROW_GIT_EMAIL", "bench@burrow.invalid");
    }

    private double cliRun(Path jar, Config config, Path repo) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(launcher(jar));
        argv.addAll(List.of("run", "--allow-root", "--data-dir", config.dataDir().toString(), "--json", "--network", network.label(),
                "--repo", repo.toString(), "say hello"));
        Map<String, String> env = new java.util.HashMap<>(cliEnv(config));
        if (!"1".equals(System.getenv("BURROW_BENCH_TRACE"))) return timeToAssistantLine(argv, env);
        // Traced: each line the new process writes to stderr (its progress and debug lines), with the time since it was started.
        env.put("BURROW_LOG_LEVEL", "debug");
        return timeToAssistantLine(argv, env, null);
    }

    private double timeToAssistantLine(List<String> argv) throws IOException, InterruptedException {
        return timeToAssistantLine(argv, Map.of());
    }

    private double timeToAssistantLine(List<String> argv, Map<String, String> env) throws IOException, InterruptedException {
        return timeToAssistantLine(argv, env, ProcessBuilder.Redirect.DISCARD);
    }

    private double timeToAssistantLine(List<String> argv, Map<String, String> env, ProcessBuilder.Redirect stderr) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectError(stderr == null ? ProcessBuilder.Redirect.PIPE : stderr);
        pb.environment().putAll(env);
        long start = System.nanoTime();
        Process p = pb.start();
        if (stderr == null) {
            Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) out.printf("  %6.0f ms  %s%n", (System.nanoTime() - start) / 1e6, line);
                } catch (IOException e) {
                    out.println("  (its stderr: " + e.getMessage() + ")");
                }
            });
        }
        double seconds = -1;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (seconds < 0 && line.contains("\"type\":\"assistant\"")) seconds = (System.nanoTime() - start) / 1e9;
            }
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) p.destroyForcibly();
        if (seconds < 0) throw new IllegalStateException("no assistant event from: " + String.join(" ", argv.subList(0, 3)) + " ...");
        return seconds;
    }

    private double engineRun(SessionManager sessions, Path repo, List<Double> saves, List<Double> execFloor, Burrow burrow) throws Exception {
        CompletableFuture<Long> first = new CompletableFuture<>();
        String[] id = new String[1];
        Runnable unsubscribe = sessions.subscribe(new SessionManager.Listener() {
            public void onEvent(StoredEvent e) {
                if (e.event() instanceof AgentEvent.Assistant && e.sessionId().equals(id[0])) first.complete(System.nanoTime());
            }
        });
        long start = System.nanoTime();
        long startWall = System.currentTimeMillis();
        try {
            // BURROW_BENCH_TRACE=1: each start's steps, with the time since the create, to see where it goes.
            boolean trace = "1".equals(System.getenv("BURROW_BENCH_TRACE"));
            Session s = sessions.create(new NewSession(repo.toString(), null, "say hello", null, null, network),
                    p -> {
                        if (trace) out.printf("  %6.0f ms  %s%n", (System.nanoTime() - start) / 1e6, p);
                    });
            if (trace) out.printf("  %6.0f ms  created%n", (System.nanoTime() - start) / 1e6);
            id[0] = s.id();
            // The event may have come before the id was known.
            if (sessions.events(s.id(), 0).stream().anyMatch(e -> e.event() instanceof AgentEvent.Assistant)) first.complete(System.nanoTime());
            double seconds = (first.get(120, TimeUnit.SECONDS) - start) / 1e9;
            if (trace) {
                for (StoredEvent e : sessions.events(s.id(), 0)) {
                    out.printf("  %6.0f ms  event %s%n", (e.at().toEpochMilli() - startWall) * 1.0, e.event().getClass().getSimpleName());
                }
            }
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (sessions.get(s.id()).state() != SessionState.IDLE && System.nanoTime() < deadline) Thread.sleep(20);
            // The save a turn's end makes, with a file left uncommitted (so a snapshot too), beside a bare exec.
            Files.writeString(s.workspace().resolve("bench-" + System.nanoTime() + ".txt"), "uncommitted\n");
            saves.add(sessions.save(s.id()).toNanos() / 1e9);
            if (!sessions.lastSaveWay(s.id()).orElse("").equals("run dir")) out.println("  (this save went through " + sessions.lastSaveWay(s.id()).orElse("nothing") + ")");
            long t0 = System.nanoTime();
            burrow.engine().exec(sessions.get(s.id()).containerId(), List.of("true"));
            execFloor.add((System.nanoTime() - t0) / 1e9);
            sessions.delete(s.id());
            return seconds;
        } finally {
            unsubscribe.run();
        }
    }

    /** The next warm container, once the pool has one (its first start included). */
    private static String awaitWarm(SessionManager sessions) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<String> w = sessions.warmContainers();
            if (!w.isEmpty()) return w.getFirst();
            Thread.sleep(50);
        }
        throw new IllegalStateException("no warm container within 2 minutes");
    }

    /** The CPU a container's processes (its conmon and everything under it) use over {@code span}, in percent of one core. */
    private static double idleCpu(Burrow burrow, String container, Duration span) throws Exception {
        Process p = new ProcessBuilder("podman", "inspect", "--format", "{{.State.ConmonPid}}", container).redirectErrorStream(true).start();
        String pid = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        if (!pid.matches("[0-9]+")) return -1;
        long before = treeTicks(Long.parseLong(pid));
        long t0 = System.nanoTime();
        Thread.sleep(span.toMillis());
        long ticks = treeTicks(Long.parseLong(pid)) - before;
        double seconds = (System.nanoTime() - t0) / 1e9;
        return ticks / 100.0 / seconds * 100; // USER_HZ is 100 on Linux
    }

    /** utime + stime of a process and all its descendants, in clock ticks. */
    private static long treeTicks(long root) throws IOException {
        Map<Long, Long> parent = new java.util.HashMap<>();
        Map<Long, Long> ticks = new java.util.HashMap<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path d : procs.filter(x -> x.getFileName().toString().matches("[0-9]+")).toList()) {
                try {
                    String stat = Files.readString(d.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long pid = Long.parseLong(d.getFileName().toString());
                    parent.put(pid, Long.parseLong(f[1]));
                    ticks.put(pid, Long.parseLong(f[11]) + Long.parseLong(f[12]));
                } catch (IOException | RuntimeException gone) {
                    // ended meanwhile
                }
            }
        }
        long sum = 0;
        for (var e : ticks.entrySet()) {
            long q = e.getKey();
            for (int depth = 0; depth < 64 && q > 1; depth++) {
                if (q == root) {
                    sum += e.getValue();
                    break;
                }
                q = parent.getOrDefault(q, 0L);
            }
        }
        return sum;
    }

    private static Path jar() {
        try {
            Path p = Path.of(Burrow.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return p.toString().endsWith(".jar") ? p : null;
        } catch (Exception e) {
            return null;
        }
    }

    private void report(String what, List<Double> xs) {
        List<Double> s = xs.stream().sorted().toList();
        out.printf("%-62s min %.3f s  median %.3f s  max %.3f s%n", what, s.getFirst(), median(xs), s.getLast());
    }

    static double median(List<Double> xs) {
        List<Double> s = xs.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
