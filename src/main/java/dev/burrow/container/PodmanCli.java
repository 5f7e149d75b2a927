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

    private ExecResult checked(List<String> args) {
        ExecResult r = podman(args);
        if (r.exitCode() == 127) {
            throw new ContainerException("podman is not installed or not on PATH; install it (apt-get install podman) and run ./burrow doctor");
        }
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

    @Override
    public int build(Path contextDir, String tag, Map<String, String> buildArgs, Consumer<String> progress) {
        List<String> argv = new ArrayList<>(List.of(podman, "build", "--tag", tag, "--layers"));
        buildArgs.forEach((k, v) -> argv.addAll(List.of("--build-arg", k + "=" + v)));
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
    public RunnerOffers offers() {
        // Bind mounts of the host's dirs, the host's devices, its Podman socket, and --network=none with a mounted proxy socket.
        return new RunnerOffers(true, true, true, true);
    }

    @Override
    public String run(ContainerSpec spec) {
        ExecResult r = checked(spec.runArgv());
        return r.stdout().strip().lines().reduce((a, b) -> b).orElseThrow(() -> new ContainerException("podman run printed no container id"));
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
        ExecResult r = podman("ps", "--all", "--no-trunc", "--filter", "label=" + SiblingProxy.LABEL + "=" + sessionId, "--format", "{{.ID}}");
        if (!r.ok()) throw new ContainerException("cannot list the containers of session " + sessionId + ": " + r.firstErrorLine());
        return r.stdout().lines().map(String::strip).filter(x -> x.matches("[0-9a-f]{64}")).toList();
    }

    @Override
    public void removeSibling(String id, String sessionId) {
        requireId(id);
        ExecResult label = podman("inspect", "--format", "{{index .Config.Labels \"" + SiblingProxy.LABEL + "\"}}", id);
        if (!label.ok() || !label.stdout().strip().equals(sessionId)) return; // gone, or not this session's: never touch it
        ExecResult r = podman("rm", "--force", "--time", "2", id);
        if (!r.ok()) throw new ContainerException("could not remove container " + id + ": " + r.firstErrorLine());
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
        ExecResult r = podman("rm", "--force", "--time", "2", id);
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
