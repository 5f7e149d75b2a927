package dev.burrow.session;

import dev.burrow.container.ContainerEngine;
import dev.burrow.container.ContainerSpec;
import dev.burrow.container.ContainerState;
import dev.burrow.container.ExecResult;
import dev.burrow.container.Mount;
import dev.burrow.container.AgentPipe;
import dev.burrow.container.Exec;
import dev.burrow.container.RunDirPipe;
import dev.burrow.container.RunnerOffers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A container engine for the engine's unit tests: "running" a container starts a {@link FakeAgent}
 * on the session's run dir (the host dir mounted at /run/burrow), so the real run-dir protocol
 * is spoken, without Podman; the after-turn save runs the real runner/burrow-save on the
 * workspace. Tests can make a start fail or kill a container from outside.
 */
final class FakeEngine implements ContainerEngine {
    private final Map<String, FakeAgent> agents = new ConcurrentHashMap<>();
    private final Map<String, Boolean> running = new ConcurrentHashMap<>();
    private final Map<String, Path> workspaces = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> labels = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger();
    final List<List<String>> execs = new CopyOnWriteArrayList<>();
    final List<String> removed = new CopyOnWriteArrayList<>();
    volatile RuntimeException failNextRun;

    @Override
    public String version() {
        return "fake";
    }

    @Override
    public Map<String, String> info() {
        return Map.of();
    }

    @Override
    public boolean imageExists(String image) {
        return true;
    }

    /** The id the fake reports for every image; a test changes it to play a retagged one. */
    public volatile String imageId = "f".repeat(64);

    @Override
    public java.util.Optional<String> imageId(String image) {
        return java.util.Optional.of(imageId);
    }

    @Override
    public int build(Path contextDir, String tag, Map<String, String> buildArgs, Consumer<String> progress) {
        return 0;
    }

    @Override
    public RunnerOffers offers() {
        return new RunnerOffers(true, false, false, false);
    }

    @Override
    public String create(ContainerSpec spec) {
        throw new UnsupportedOperationException("the engine runs its containers in one step");
    }

    @Override
    public void start(String id) {
        throw new UnsupportedOperationException("the engine runs its containers in one step");
    }

    /** The save of a session whose container is gone: runner/burrow-save on the workspace, here. */
    @Override
    public ExecResult runOnce(ContainerSpec spec, long maxOutputBytes, Duration timeout, OutputStream stdout) {
        if (spec.mounts().isEmpty() && String.join(" ", spec.command()).contains("ca-certificates.crt")) {
            // The runner image's CA bundle read for the containers' trust (ContainerTrust): one certificate, no Java store.
            try {
                stdout.write("-----BEGIN CERTIFICATE-----\nZmFrZQ==\n-----END CERTIFICATE-----\n\n#BURROW-JAVA-TRUST\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return new ExecResult(spec.command(), 0, "", "");
        }
        Path workspace = spec.mounts().stream().filter(m -> "/workspace".equals(m.container())).map(Mount::host).findFirst().orElseThrow();
        return saveScript(workspace, spec.command(), stdout);
    }

    @Override
    public void copyIn(String id, String containerDir, InputStream tar) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void copyOut(String id, String containerPath, OutputStream tar, long maxBytes) {
        throw new UnsupportedOperationException();
    }

    /** The after-turn save: the real runner/burrow-save, run here on the workspace the container would have. */
    @Override
    public ExecResult exec(String id, Exec exec, OutputStream stdout) {
        execs.add(exec.argv());
        if (!Boolean.TRUE.equals(running.get(id))) return new ExecResult(exec.argv(), 125, "", "container " + id + " is not running");
        return saveScript(workspaces.get(id), exec.argv(), stdout);
    }

    private static ExecResult saveScript(Path workspace, List<String> argv, OutputStream stdout) {
        List<String> local = new ArrayList<>(argv);
        local.set(0, Path.of("runner", local.getFirst()).toAbsolutePath().toString());
        // Its interpreter is the runner bundle's bash, which this host lacks: the host's runs it.
        local.addFirst("bash");
        try {
            ProcessBuilder pb = new ProcessBuilder(local);
            pb.environment().put("BURROW_SAVE_WORKSPACE", workspace.toString());
            Process p = pb.start();
            p.getInputStream().transferTo(stdout);
            String err = new String(p.getErrorStream().readAllBytes());
            return new ExecResult(argv, p.waitFor(), "", err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public AgentPipe agentPipe(Path runDir) {
        return new RunDirPipe(runDir); // the fake agent speaks the run dir's protocol, as the real one does
    }

    @Override
    public List<String> terminalExecArgv(String id, Map<String, String> env, String workdir, List<String> command) {
        throw new UnsupportedOperationException("no terminals in the engine's unit tests");
    }

    @Override
    public void stop(String id) {
        running.computeIfPresent(id, (k, v) -> false);
    }

    private volatile ContainerSpec lastSpec;

    /** The spec of the last container this engine ran. */
    ContainerSpec lastSpec() {
        return lastSpec;
    }

    @Override
    public String run(ContainerSpec spec) {
        lastSpec = spec;
        RuntimeException fail = failNextRun;
        if (fail != null) {
            failNextRun = null;
            throw fail;
        }
        Path runDir = spec.mounts().stream().filter(m -> "/run/burrow".equals(m.container())).map(Mount::host).findFirst().orElseThrow();
        String id = "fake" + next.incrementAndGet();
        agents.put(id, FakeAgent.start(runDir, spec.env().getOrDefault("BURROW_MODE", "chat")));
        workspaces.put(id, spec.mounts().stream().filter(m -> "/workspace".equals(m.container())).map(Mount::host).findFirst().orElseThrow());
        running.put(id, true);
        labels.put(id, Map.copyOf(spec.labels()));
        return id;
    }

    /** A stopped session container for {@code sessionId}, labelled as the last one run was (its install), as a start that failed half-way leaves one. */
    String leftOver(String sessionId) {
        return leftOver(sessionId, lastSpec.labels().get("burrow.data"));
    }

    /** The same, of the install {@code install} (another data dir's, when it differs). */
    String leftOver(String sessionId, String install) {
        String id = "fake" + next.incrementAndGet();
        running.put(id, false);
        labels.put(id, Map.of(dev.burrow.container.PodmanCli.SESSION_LABEL, sessionId, "burrow.data", install));
        return id;
    }

    /** The agent in a container this engine ran. */
    FakeAgent agent(String containerId) {
        return agents.get(containerId);
    }

    /** The container dies from outside (out of memory, `podman kill`). */
    void kill(String id) {
        running.put(id, false);
        agents.get(id).stop();
    }

    @Override
    public Optional<ContainerState> inspect(String id) {
        return Optional.ofNullable(running.get(id)).map(up -> state(id, up));
    }

    @Override
    public List<ContainerState> listOwned() {
        List<ContainerState> out = new ArrayList<>();
        running.forEach((id, up) -> out.add(state(id, up)));
        return out;
    }

    private ContainerState state(String id, boolean up) {
        return new ContainerState(id, id, up ? "running" : "exited", up, up ? 0 : 137, labels.getOrDefault(id, Map.of()));
    }

    @Override
    public ExecResult exec(String id, List<String> argv) {
        execs.add(List.copyOf(argv));
        if (argv.contains("paste-buffer")) agents.get(id).typed();
        return new ExecResult(argv, 0, "", "");
    }

    @Override
    public List<String> siblings(String sessionId) {
        return List.of();
    }

    @Override
    public void removeSibling(String id, String sessionId) {
    }

    /** The containers whose network was guarded, in order. */
    final List<String> guarded = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void guardEgress(String id, String nftRuleset) {
        guarded.add(id);
    }

    @Override
    public void removeOwnedTree(Path dir) {
        dev.burrow.workspace.Workspaces.deleteQuietly(dir);
    }

    @Override
    public List<String> removeSessionObjects(String sessionId) {
        return List.of();
    }

    @Override
    public void remove(String id) {
        removed.add(id);
        running.remove(id);
        labels.remove(id);
        FakeAgent a = agents.get(id);
        if (a != null) a.stop();
    }

    void close() {
        agents.values().forEach(FakeAgent::stop);
    }
}
