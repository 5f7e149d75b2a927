package dev.burrow.container;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** {@link ContainerEngine} over the podman CLI, its JSON output parsed with Jackson. */
public final class PodmanCli implements ContainerEngine {
    public static final String SESSION_LABEL = "burrow.session";
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private static final Duration COPY_TIMEOUT = Duration.ofMinutes(10);

    private final String podman;
    private final Commands commands;

    public PodmanCli(ProcessRunner runner) {
        this("podman", runner);
    }

    public PodmanCli(String podmanExecutable, ProcessRunner runner) {
        this.podman = Objects.requireNonNull(podmanExecutable);
        this.commands = new Commands(runner);
    }

    private ExecResult podman(String... args) {
        return podman(List.of(args));
    }

    private ExecResult podman(List<String> args) {
        List<String> argv = new ArrayList<>();
        argv.add(podman);
        argv.addAll(args);
        return commands.run(argv);
    }

    /**
     * How long a `podman run` may take. A start takes under a second here; one that takes a
     * minute has hung (Podman 4.3 now and then, in bursts), and is killed and tried again.
     */
    static final long RUN_TIMEOUT_SECONDS = 60;

    private ExecResult checked(List<String> args) {
        return checked(args, 120);
    }

    private ExecResult checked(List<String> args, long timeoutSeconds) {
        List<String> argv = new ArrayList<>();
        argv.add(podman);
        argv.addAll(args);
        ExecResult r = commands.run(argv, timeoutSeconds);
        if (r.exitCode() == 127) {
            throw new ContainerException("podman is not installed or not on PATH; install it (apt-get install podman) and run ./burrow doctor");
        }
        if (r.exitCode() == 124) throw new ContainerException.TimedOut("podman " + args.getFirst() + " failed: " + r.firstErrorLine(), null);
        if (!r.ok()) {
            throw new ContainerException("podman " + args.getFirst() + " failed: " + r.firstErrorLine());
        }
        return r;
    }

    @Override
    public String version() {
        JsonNode v = JSON.readTree(checked(List.of("version", "--format", "json")).stdout());
        return text(v.path("Client").path("Version"));
    }

    @Override
    public Map<String, String> info() {
        JsonNode info = JSON.readTree(checked(List.of("info", "--format", "json")).stdout());
        Map<String, String> out = new LinkedHashMap<>();
        out.put("rootless", String.valueOf(info.path("host").path("security").path("rootless").asBoolean()));
        out.put("storageDriver", text(info.path("store").path("graphDriverName")));
        out.put("ociRuntime", text(info.path("host").path("ociRuntime").path("name")));
        out.put("cgroupVersion", text(info.path("host").path("cgroupVersion")));
        return out;
    }

    @Override
    public boolean imageExists(String image) {
        ExecResult r = podman("image", "exists", image);
        if (r.exitCode() == 127) checked(List.of("version"));
        return r.ok();
    }

    /** Where image reads go first: the Podman API socket when its service answers already (empty: the CLI alone). */
    private volatile java.util.function.Supplier<Optional<Path>> api = Optional::empty;

    /** Image reads go through {@code socket} whenever it gives one ({@link ImageReads}); else, or when it fails, through the CLI. */
    public void readImagesThrough(java.util.function.Supplier<Optional<Path>> socket) {
        this.api = java.util.Objects.requireNonNull(socket);
    }

    /** The image's inspect through the API socket: empty when that cannot answer (then the CLI does); inside, empty for no such image. */
    private Optional<Optional<JsonNode>> inspectByApi(String image) {
        try {
            Optional<Path> socket = api.get();
            return socket.isEmpty() ? Optional.empty() : Optional.of(ImageReads.inspect(socket.get(), image));
        } catch (java.io.IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<String> imageId(String image) {
        var viaApi = inspectByApi(image);
        if (viaApi.isPresent()) return viaApi.get().map(n -> n.path("Id").asText("")).filter(id -> id.matches("[0-9a-f]{64}"));
        ExecResult r = podman("image", "inspect", "--format", "{{.Id}}", image);
        String id = r.stdout().strip();
        return r.ok() && id.matches("[0-9a-f]{64}") ? Optional.of(id) : Optional.empty();
    }

    @Override
    public int build(Path contextDir, String tag, Map<String, String> buildArgs, Consumer<String> progress) {
        List<String> options = new ArrayList<>(List.of("--layers"));
        buildArgs.forEach((k, v) -> options.addAll(List.of("--build-arg", k + "=" + v)));
        return buildOwn(contextDir, tag, options, progress);
    }

    @Override
    public int buildOwn(Path contextDir, String tag, List<String> options, Consumer<String> progress) {
        List<String> argv = new ArrayList<>(List.of(podman, "build"));
        if (tag != null) argv.addAll(List.of("--tag", tag));
        argv.addAll(options);
        argv.addAll(List.of("--file", contextDir.resolve("Containerfile").toString(), contextDir.toString()));
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            p.getOutputStream().close();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) progress.accept(line);
            }
            return p.waitFor();
        } catch (IOException e) {
            throw new ContainerException("could not run podman build: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    @Override
    public String commit(String container, String tag, Map<String, String> labels) {
        // Not paused: rootless Podman cannot pause a container under cgroups v1, and the one kept is quiet by then
        // (its setup has ended, its agent waits for the credentials).
        List<String> args = new ArrayList<>(List.of("commit", "--pause=false", "--quiet"));
        labels.forEach((k, v) -> {
            if (!k.matches("[a-z0-9.-]+") || !v.matches("[A-Za-z0-9:/._ -]*")) throw new IllegalArgumentException("not a label Burrow writes: " + k);
            args.addAll(List.of("--change", "LABEL " + k + "=\"" + v + "\""));
        });
        args.addAll(List.of(container, tag));
        Path conf = CommitStorageConf.forCommit(this::storePaths);
        try {
            List<String> argv = new ArrayList<>();
            if (conf != null) argv.addAll(List.of("env", "CONTAINERS_STORAGE_CONF=" + conf));
            argv.add(podman);
            argv.addAll(args);
            ExecResult r = commands.run(argv, 600);
            if (!r.ok()) throw new ContainerException("podman commit failed: " + r.firstErrorLine());
        } finally {
            CommitStorageConf.delete(conf);
        }
        return imageId(tag).orElseThrow(() -> new ContainerException("podman commit made no image " + tag));
    }

    @Override
    public List<OwnImage> ownImages(String repository) {
        JsonNode arr = JSON.readTree(checked(List.of("images", "--filter", "reference=" + repository, "--no-trunc", "--format", "json")).stdout());
        List<OwnImage> out = new ArrayList<>();
        if (arr == null || !arr.isArray()) return out;
        for (JsonNode n : arr) {
            Map<String, String> labels = new java.util.LinkedHashMap<>();
            n.path("Labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
            for (JsonNode name : n.path("Names")) {
                String tag = name.asText();
                if (tag.startsWith(repository + ":")) out.add(new OwnImage(tag, n.path("Id").asText().replace("sha256:", ""), n.path("Size").asLong(), labels));
            }
        }
        return out;
    }

    @Override
    public void removeImage(String tag) {
        ExecResult r = podman("rmi", tag);
        if (!r.ok() && !r.stderr().contains("image not known")) throw new ContainerException("podman rmi " + tag + " failed: " + r.firstErrorLine());
    }

    @Override
    public void untagImage(String tag) {
        ExecResult r = podman("untag", tag, tag);
        if (!r.ok() && !r.stderr().contains("image not known")) throw new ContainerException("podman untag " + tag + " failed: " + r.firstErrorLine());
    }

    @Override
    public List<String> unnamedOwnImages(String label) {
        ExecResult r = podman("images", "--filter", "dangling=true", "--filter", "label=" + label, "--no-trunc", "--format", "{{.ID}}");
        if (!r.ok()) return List.of();
        return r.stdout().lines().map(l -> l.strip().replace("sha256:", "")).filter(l -> l.matches("[0-9a-f]{64}")).toList();
    }

    /** The store's graph root and run root, as Podman runs with them. */
    private String[] storePaths() {
        JsonNode store = JSON.readTree(checked(List.of("info", "--format", "{{json .Store}}")).stdout());
        return new String[] {store.path("graphRoot").asText(), store.path("runRoot").asText()};
    }

    @Override
    public java.util.Optional<Map<String, String>> imageLabels(String image) {
        var viaApi = inspectByApi(image);
        if (viaApi.isPresent()) return viaApi.get().map(n -> strings(n.path("Labels").isObject() ? n.path("Labels") : n.path("Config").path("Labels")));
        ExecResult r = podman("image", "inspect", "--format", "{{json .Labels}}", image);
        if (!r.ok()) return java.util.Optional.empty();
        return java.util.Optional.of(strings(JSON.readTree(r.stdout())));
    }

    private static Map<String, String> strings(JsonNode n) {
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        if (n != null && n.isObject()) n.properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }

    @Override
    public Map<String, String> imageEnv(String image) {
        var viaApi = inspectByApi(image);
        Map<String, String> env = new java.util.LinkedHashMap<>();
        JsonNode n;
        if (viaApi.isPresent()) {
            if (viaApi.get().isEmpty()) return env;
            n = viaApi.get().get().path("Config").path("Env");
        } else {
            ExecResult r = podman("image", "inspect", "--format", "{{json .Config.Env}}", image);
            if (!r.ok()) return env;
            n = JSON.readTree(r.stdout());
        }
        if (n != null && n.isArray()) {
            for (JsonNode e : n) {
                String line = e.asText();
                int eq = line.indexOf('=');
                if (eq > 0) env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return env;
    }

    @Override
    public RunnerOffers offers() {
        // Bind mounts of the host's dirs, the host's devices, its Podman socket, and --network=none with a mounted proxy socket.
        return new RunnerOffers(true, true, true, true);
    }

    @Override
    public String run(ContainerSpec spec) {
        ensureVolumes(spec.mounts());
        try {
            return runMade(spec);
        } catch (ContainerException e) {
            // A volume known here was removed behind Burrow's back (podman volume prune) and another run made it first.
            if (e instanceof ContainerException.TimedOut || e.getMessage() == null || !e.getMessage().contains("volume already exists")) throw e;
            volumes.clear();
            ensureVolumes(spec.mounts());
            return runMade(spec);
        }
    }

    /** `podman run` of a container whose volumes exist. */
    private String runMade(ContainerSpec spec) {
        // A container with a network of its own gets its egress guarded next: its process id is
        // written for guardEgress, which then needs no podman call to find it.
        Path pidFile = spec.network() == null ? pidDir().resolve(spec.name() + ".pid") : null;
        List<String> argv = new ArrayList<>(spec.runArgv());
        if (pidFile != null) argv.addAll(2, List.of("--pidfile", pidFile.toString()));
        // The id is written as soon as the container exists, so a run that fails or hangs after
        // that (killed at its timeout) leaves nothing behind: the container goes by that exact id.
        Path cidFile = pidDir().resolve(spec.name() + ".cid");
        try {
            java.nio.file.Files.deleteIfExists(cidFile);
        } catch (IOException e) {
            throw new ContainerException("cannot clear " + cidFile + ": " + e.getMessage());
        }
        argv.addAll(2, List.of("--cidfile", cidFile.toString()));
        ExecResult r;
        try {
            r = checked(argv, RUN_TIMEOUT_SECONDS);
        } catch (ContainerException e) {
            String message = e.getMessage() + removeHalfMade(cidFile);
            throw e instanceof ContainerException.TimedOut ? new ContainerException.TimedOut(message, e) : new ContainerException(message, e);
        } finally {
            try {
                java.nio.file.Files.deleteIfExists(cidFile);
            } catch (IOException ignored) {
                // a stale id file is cleared before the next run of this name
            }
        }
        String id = r.stdout().strip().lines().reduce((a, b) -> b).orElseThrow(() -> new ContainerException("podman run printed no container id"));
        if (pidFile != null) pidFiles.put(id, pidFile);
        return id;
    }

    // The named volumes (the shared caches) known to exist; made here, one at a time, before any run
    // mounts them. Left to `podman run`, two sessions starting at once that both mount a cache not
    // yet made race to make it, and one fails ("volume with name ... already exists").
    private final Set<String> volumes = ConcurrentHashMap.newKeySet();

    private void ensureVolumes(List<Mount> mounts) {
        List<String> wanted = mounts.stream().map(Mount::volume).filter(v -> v != null && !volumes.contains(v)).distinct().toList();
        if (wanted.isEmpty()) return;
        synchronized (volumes) {
            // One look at all the volumes there are (a new process knows none: one `volume exists` each cost seconds).
            ExecResult listed = podman("volume", "ls", "--format", "{{.Name}}");
            if (listed.ok()) listed.stdout().lines().map(String::strip).filter(wanted::contains).forEach(volumes::add);
            for (String v : wanted) {
                if (volumes.contains(v)) continue;
                ExecResult made = podman("volume", "create", v);
                if (!made.ok() && podman("volume", "exists", v).exitCode() != 0) {
                    throw new ContainerException("could not make the volume " + v + ": " + made.firstErrorLine());
                }
                volumes.add(v);
            }
        }
    }

    /** Removes the container a failed run made, if it made one; says what became of it. */
    private String removeHalfMade(Path cidFile) {
        String id;
        try {
            id = java.nio.file.Files.readString(cidFile).strip();
        } catch (IOException e) {
            return ""; // no container was made
        }
        if (!id.matches("[0-9a-f]{64}")) return "";
        podman("rm", "--force", "--time", "0", id);
        ExecResult left = podman("container", "exists", id);
        return left.exitCode() == 1 ? " (its container was removed)" : " (its container " + id + " could not be removed: " + left.firstErrorLine() + ")";
    }

    private final java.util.concurrent.ConcurrentMap<String, Path> pidFiles = new java.util.concurrent.ConcurrentHashMap<>();
    private Path pidDir;

    private synchronized Path pidDir() {
        try {
            if (pidDir == null) pidDir = java.nio.file.Files.createTempDirectory("burrow-pids-");
            return pidDir;
        } catch (IOException e) {
            throw new ContainerException("cannot make a temp dir for container process ids: " + e.getMessage());
        }
    }

    @Override
    public Optional<ProcessHandle> mainProcess(String id) {
        requireId(id);
        ExecResult r = podman("inspect", "--type", "container", "--format", "{{.Id}} {{.State.Running}} {{.State.Pid}}", id);
        String[] f = r.stdout().strip().split(" ");
        // The exact id again (inspect resolves names and prefixes), running, and a real process.
        if (!r.ok() || f.length != 3 || !f[0].equals(id) || !f[1].equals("true") || !f[2].matches("[1-9][0-9]{0,9}")) return Optional.empty();
        return ProcessHandle.of(Long.parseLong(f[2])).filter(ProcessHandle::isAlive);
    }

    /** The process id of a container this process ran, from its pid file; else asked of Podman. */
    private String pidOf(String id) {
        Path f = pidFiles.remove(id);
        if (f != null) {
            try {
                String pid = java.nio.file.Files.readString(f).strip();
                java.nio.file.Files.deleteIfExists(f);
                if (pid.matches("[1-9][0-9]{0,9}")) return pid;
            } catch (IOException e) {
                // asked of Podman below
            }
        }
        ExecResult r = podman("inspect", "--format", "{{.State.Pid}}", id);
        String pid = r.stdout().strip();
        if (!r.ok() || !pid.matches("[1-9][0-9]{0,9}")) throw new ContainerException("cannot find the process of container " + id + ": " + r.firstErrorLine());
        return pid;
    }

    @Override
    public String create(ContainerSpec spec) {
        ExecResult r = checked(spec.createArgv());
        return r.stdout().strip().lines().reduce((a, b) -> b).orElseThrow(() -> new ContainerException("podman create printed no container id"));
    }

    @Override
    public void start(String id) {
        requireId(id);
        checked(List.of("start", id));
    }

    @Override
    public ExecResult runOnce(ContainerSpec spec, long maxOutputBytes, Duration timeout, OutputStream stdout) {
        List<String> argv = new ArrayList<>(List.of(podman));
        argv.addAll(spec.runOnceArgv());
        ExecResult r = commands.stream(argv, InputStream.nullInputStream(), stdout, maxOutputBytes, timeout);
        // A client killed for its timeout or output leaves the container behind: --rm never ran.
        if (r.exitCode() == 124 || r.exitCode() == 125) podman("rm", "--force", "--time", "0", spec.name());
        return r;
    }

    @Override
    public void copyIn(String id, String containerDir, InputStream tar) {
        requireId(id);
        ExecResult r = commands.stream(List.of(podman, "cp", "-", id + ":" + containerDir), tar, OutputStream.nullOutputStream(), 64 * 1024, COPY_TIMEOUT);
        if (!r.ok()) throw new ContainerException("podman cp into " + containerDir + " failed: " + r.firstErrorLine());
    }

    @Override
    public void copyOut(String id, String containerPath, OutputStream tar, long maxBytes) {
        requireId(id);
        ExecResult r = commands.stream(List.of(podman, "cp", id + ":" + containerPath, "-"), InputStream.nullInputStream(), tar, maxBytes, COPY_TIMEOUT);
        if (!r.ok()) throw new ContainerException("podman cp from " + containerPath + " failed: " + r.firstErrorLine());
    }

    @Override
    public Optional<ContainerState> inspect(String id) {
        requireId(id);
        ExecResult r = podman("container", "inspect", "--format", "json", id);
        if (!r.ok()) return Optional.empty();
        JsonNode arr = JSON.readTree(r.stdout());
        if (!arr.isArray() || arr.isEmpty()) return Optional.empty();
        JsonNode c = arr.get(0);
        ContainerState s = new ContainerState(
                text(c.path("Id")), text(c.path("Name")), text(c.path("State").path("Status")),
                c.path("State").path("Running").asBoolean(), c.path("State").path("ExitCode").asInt(),
                labels(c.path("Config").path("Labels")));
        // Exact id only, and only Burrow's own: a prefix match or a foreign container is not ours.
        if (!s.id().equals(id) || s.sessionLabel() == null) return Optional.empty();
        return Optional.of(s);
    }

    @Override
    public List<ContainerState> listOwned() {
        JsonNode arr = JSON.readTree(checked(List.of("ps", "--all", "--no-trunc", "--format", "json", "--filter", "label=" + SESSION_LABEL)).stdout());
        List<ContainerState> out = new ArrayList<>();
        for (JsonNode c : arr) {
            Map<String, String> labels = labels(c.path("Labels"));
            if (!labels.containsKey(SESSION_LABEL)) continue;
            String name = c.path("Names").isArray() && !c.path("Names").isEmpty() ? text(c.path("Names").get(0)) : "";
            String state = text(c.path("State"));
            out.add(new ContainerState(text(c.path("Id")), name, state, "running".equals(state), c.path("ExitCode").asInt(), labels));
        }
        return out;
    }

    @Override
    public ExecResult exec(String id, List<String> argv) {
        requireId(id);
        List<String> args = new ArrayList<>(List.of("exec", id));
        args.addAll(argv);
        return podman(args);
    }

    @Override
    public ExecResult exec(String id, Exec exec, OutputStream stdout) {
        requireId(id);
        List<String> argv = new ArrayList<>(List.of(podman, "exec", "--interactive", id));
        argv.addAll(exec.argv());
        return commands.stream(argv, exec, stdout);
    }

    @Override
    public AgentPipe agentPipe(Path runDir) {
        return new RunDirPipe(runDir);
    }

    @Override
    public List<String> terminalExecArgv(String id, Map<String, String> env, String workdir, List<String> command) {
        requireId(id);
        List<String> argv = new ArrayList<>(List.of(podman, "exec", "-it"));
        env.forEach((k, v) -> argv.addAll(List.of("--env", k + "=" + v)));
        if (workdir != null) argv.addAll(List.of("--workdir", workdir));
        argv.add(id);
        argv.addAll(command);
        return argv;
    }

    @Override
    public List<String> siblings(String sessionId) {
        List<String> out = new ArrayList<>();
        for (String label : List.of(SIBLING_LABEL, HELPER_LABEL)) {
            ExecResult r = podman("ps", "--all", "--no-trunc", "--filter", "label=" + label + "=" + sessionId, "--format", "{{.ID}}");
            if (!r.ok()) throw new ContainerException("cannot list the containers of session " + sessionId + ": " + r.firstErrorLine());
            r.stdout().lines().map(String::strip).filter(x -> x.matches("[0-9a-f]{64}")).forEach(out::add);
        }
        return out.stream().distinct().toList();
    }

    @Override
    public void removeSibling(String id, String sessionId) {
        requireId(id);
        ExecResult label = podman("inspect", "--format", "{{index .Config.Labels \"" + SIBLING_LABEL + "\"}} {{index .Config.Labels \""
                + HELPER_LABEL + "\"}}", id);
        if (!label.ok() || !List.of(label.stdout().strip().split(" ")).contains(sessionId)) return; // gone, or not this session's: never touch it
        ExecResult r = podman("rm", "--force", "--volumes", "--time", "2", id);
        if (!r.ok()) throw new ContainerException("could not remove container " + id + ": " + r.firstErrorLine());
    }

    @Override
    public void guardEgress(String id, String nftRuleset) {
        requireId(id);
        Path nft = EgressFirewall.nft().orElseThrow(() -> new ContainerException("the full network policy needs nftables on the host to keep"
                + " sessions off your own networks: install it (apt-get install nftables), or use the allowlist or none policy"));
        String p = pidOf(id);
        // Rootless, the container's network namespace belongs to the user's Podman namespace: enter that first.
        // (Not the container's own user namespace: there its root could trace nft while it runs.)
        List<String> argv = new ArrayList<>(rootHost() ? List.of() : List.of(podman, "unshare"));
        argv.addAll(List.of("nsenter", "-t", p, "-n", nft.toString(), "-f", "-"));
        ExecResult r = commands.stream(argv, new java.io.ByteArrayInputStream(nftRuleset.getBytes(StandardCharsets.UTF_8)), OutputStream.nullOutputStream(),
                64 * 1024, Duration.ofSeconds(30));
        if (!r.ok()) throw new ContainerException("could not set the session's network guard (nft): " + r.firstErrorLine());
    }

    @Override
    public void removeOwnedTree(Path dir) {
        if (!dir.isAbsolute()) throw new IllegalArgumentException("not an absolute path: " + dir);
        List<String> argv = new ArrayList<>(rootHost() ? List.of() : List.of(podman, "unshare"));
        argv.addAll(List.of("rm", "-rf", "--one-file-system", "--", dir.toString()));
        ExecResult r = commands.stream(argv, java.io.InputStream.nullInputStream(), OutputStream.nullOutputStream(), 64 * 1024, Duration.ofMinutes(5));
        if (!r.ok()) throw new ContainerException("could not remove " + dir + ": " + r.firstErrorLine());
    }

    @Override
    public String pinDirectory(Path source, Path target) {
        absolute(source);
        absolute(target);
        // --no-canonicalize: mount(8) would resolve the path itself first, a second time, in its own way.
        inPodmanNamespace(List.of("mount", "--bind", "--no-canonicalize", source.toString(), target.toString()), "bind " + source);
        // %D: the device in hex, as the JDK's file keys show it.
        ExecResult r = inPodmanNamespace(List.of("stat", "--format", "%D:%i", "--", target.toString()), "inspect the bind of " + source);
        return r.stdout().strip();
    }

    @Override
    public void pinNetwork(String id, Path target) {
        requireId(id);
        absolute(target);
        String before = processOf(id);
        inPodmanNamespace(List.of("mount", "--bind", "--no-canonicalize", "/proc/" + before.split(" ")[0] + "/ns/net", target.toString()),
                "pin the network of container " + id);
        // The process id was the container's before the bind and still is after it, so it was throughout.
        if (!before.equals(processOf(id))) {
            unpin(target);
            throw new ContainerException("container " + id + " stopped while its network was being pinned");
        }
    }

    /** "PID STARTED" of a running container. */
    private String processOf(String id) {
        ExecResult r = podman("inspect", "--format", "{{.State.Running}} {{.State.Pid}} {{.State.StartedAt}}", id);
        String[] f = r.stdout().strip().split(" ", 2);
        if (!r.ok() || f.length < 2 || !f[0].equals("true") || !f[1].matches("[1-9][0-9]{0,9} .+")) {
            throw new ContainerException("container " + id + " is not running: " + r.firstErrorLine());
        }
        return f[1];
    }

    @Override
    public void unpin(Path target) {
        absolute(target);
        List<String> argv = new ArrayList<>(rootHost() ? List.of() : List.of(podman, "unshare"));
        argv.addAll(List.of("umount", "--lazy", target.toString()));
        commands.run(argv);
    }

    private ExecResult inPodmanNamespace(List<String> command, String what) {
        List<String> argv = new ArrayList<>(rootHost() ? List.of() : List.of(podman, "unshare"));
        argv.addAll(command);
        ExecResult r = commands.run(argv);
        if (!r.ok()) throw new ContainerException("could not " + what + ": " + r.firstErrorLine());
        return r;
    }

    private static void absolute(Path p) {
        if (!p.isAbsolute() || !p.normalize().equals(p)) throw new IllegalArgumentException("not an absolute, normal path: " + p);
    }

    private static boolean rootHost() {
        try {
            return Integer.valueOf(0).equals(java.nio.file.Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    @Override
    public List<String> removeSessionObjects(String sessionId) {
        List<String> failed = new ArrayList<>();
        String filter = "label=" + SIBLING_LABEL + "=" + sessionId;
        String labelOf = "{{index .Labels \"" + SIBLING_LABEL + "\"}}";
        // Volumes and networks by name (their ids are names too), images by full id: each checked again before removal.
        removeLabelled(podman("volume", "ls", "--filter", filter, "--format", "{{.Name}}"), sessionId,
                name -> podman("volume", "inspect", "--format", labelOf, name), name -> podman("volume", "rm", name), "volume", failed);
        removeLabelled(podman("network", "ls", "--filter", filter, "--format", "{{.Name}}"), sessionId,
                name -> podman("network", "inspect", "--format", labelOf, name), name -> podman("network", "rm", name), "network", failed);
        // An image goes by its names (then by id when it has none), never by force: a container of yours that uses it keeps it.
        removeLabelled(podman("images", "--filter", filter, "--no-trunc", "--format", "{{.ID}}"), sessionId,
                id -> podman("image", "inspect", "--format", labelOf, id), this::removeImageByNames, "image", failed);
        // The names it gave images it did not build (podman tag of a shared one): each name alone, the image stays.
        String space = ContainerEngine.imageSpace(sessionId);
        ExecResult named = podman("images", "--noheading", "--format", "{{.Repository}}:{{.Tag}}");
        if (!named.ok()) {
            failed.add("could not list the session's image names: " + named.firstErrorLine());
        } else {
            for (String name : named.stdout().lines().map(String::strip).filter(n -> n.startsWith(space) && n.matches("[a-z0-9._/:-]+")).distinct().toList()) {
                ExecResult r = podman("untag", name, name);
                if (!r.ok() && podman("image", "exists", name).exitCode() == 0) failed.add("image name " + name + ": " + r.firstErrorLine());
            }
        }
        return failed;
    }

    private ExecResult removeImageByNames(String id) {
        ExecResult names = podman("image", "inspect", "--format", "{{range .RepoTags}}{{.}}\n{{end}}", id);
        List<String> argv = new ArrayList<>(List.of("rmi"));
        if (names.ok()) names.stdout().lines().map(String::strip).filter(n -> !n.isEmpty()).forEach(argv::add);
        if (argv.size() == 1) argv.add(id);
        return podman(argv);
    }

    private static void removeLabelled(ExecResult listed, String sessionId, java.util.function.Function<String, ExecResult> label,
                                       java.util.function.Function<String, ExecResult> remove, String kind, List<String> failed) {
        if (!listed.ok()) {
            failed.add("could not list the session's " + kind + "s: " + listed.firstErrorLine());
            return;
        }
        for (String name : listed.stdout().lines().map(String::strip).filter(n -> n.matches("(sha256:)?[A-Za-z0-9][A-Za-z0-9_.-]*")).distinct().toList()) {
            ExecResult owner = label.apply(name);
            if (!owner.ok() || !owner.stdout().strip().equals(sessionId)) continue;
            ExecResult r = remove.apply(name);
            if (!r.ok()) failed.add(kind + " " + name + ": " + r.firstErrorLine());
        }
    }

    @Override
    public void stop(String id) {
        if (inspect(id).isEmpty()) return; // gone, or not Burrow's: never touch it
        ExecResult r = podman("stop", "--time", "2", id);
        if (!r.ok() && inspect(id).map(ContainerState::running).orElse(false)) {
            throw new ContainerException("could not stop container " + id + ": " + r.firstErrorLine());
        }
    }

    @Override
    public void remove(String id) {
        if (inspect(id).isEmpty()) return; // already gone, or not Burrow's: never touch it
        // --depend: the session's sibling containers share its network namespace, so they go with it
        // (Podman refuses to remove a container others depend on).
        ExecResult r = podman("rm", "--force", "--depend", "--time", "2", id);
        if (!r.ok() && inspect(id).isPresent()) {
            throw new ContainerException("could not remove container " + id + ": " + r.firstErrorLine());
        }
    }

    private static void requireId(String id) {
        if (id == null || !id.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a full container id: " + id);
        }
    }

    private static Map<String, String> labels(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node.isObject()) node.properties().forEach(e -> out.put(e.getKey(), text(e.getValue())));
        return out;
    }

    private static String text(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull() ? "" : n.asString();
    }
}
