package dev.burrow.container;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything needed to start one session container. {@link #runArgv()} turns it into the
 * arguments of `podman run`; values are separate argv elements, so none is ever parsed by a shell.
 *
 * @param user     null: the image's own user
 * @param options  what the session's environment adds (tmpfs mounts and the like), checked
 * @param env only values that are not secret: they are visible in `podman inspect`.
 *            Secrets reach the container as a mounted 0600 file instead.
 */
public record ContainerSpec(
        String name,
        String image,
        Map<String, String> labels,
        String userns,
        String network,
        List<Mount> mounts,
        Map<String, String> env,
        String workdir,
        List<String> devices,
        Limits limits,
        List<String> command,
        String user,
        RunOptions options) {

    /** A container without options of its environment's. */
    public ContainerSpec(String name, String image, Map<String, String> labels, String userns, String network, List<Mount> mounts,
                         Map<String, String> env, String workdir, List<String> devices, Limits limits, List<String> command, String user) {
        this(name, image, labels, userns, network, mounts, env, workdir, devices, limits, command, user, RunOptions.NONE);
    }

    public ContainerSpec {
        Objects.requireNonNull(name);
        Objects.requireNonNull(image);
        labels = Map.copyOf(new LinkedHashMap<>(labels));
        mounts = List.copyOf(mounts);
        env = Map.copyOf(env);
        devices = List.copyOf(devices);
        limits = limits == null ? Limits.NONE : limits;
        command = List.copyOf(command);
        options = options == null ? RunOptions.NONE : options;
        if (!labels.containsKey(PodmanCli.SESSION_LABEL)) {
            throw new IllegalArgumentException("every Burrow container carries the " + PodmanCli.SESSION_LABEL + " label");
        }
    }

    /** `podman run` of a detached container. */
    /** The OOM score every container Burrow runs gets, and every sibling a session makes: the most. */
    public static final int OOM_SCORE_ADJ = 1000;

    public List<String> runArgv() {
        return argv(List.of("run", "--detach"));
    }

    /** `podman create`: the same container, not started. */
    public List<String> createArgv() {
        return argv(List.of("create"));
    }

    /** `podman run` in the foreground of a throwaway container, removed when it ends. */
    public List<String> runOnceArgv() {
        return argv(List.of("run", "--rm"));
    }

    private List<String> argv(List<String> verb) {
        List<String> argv = new ArrayList<>(verb);
        // --http-proxy=false: podman would copy the host's proxy variables (credentials and all) into the container.
        // --oom-score-adj: where memory limits cannot hold (cgroups v1, rootless), the kernel's OOM
        // killer picks a session's processes before Burrow's, which outlives a runaway session.
        argv.addAll(List.of("--init", "--http-proxy=false", "--oom-score-adj=" + OOM_SCORE_ADJ, "--name", name));
        labels.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> argv.addAll(List.of("--label", e.getKey() + "=" + e.getValue())));
        if (userns != null) argv.add("--userns=" + userns);
        if (network != null) argv.add("--network=" + network);
        for (Mount m : mounts) argv.addAll(m.args());
        env.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> argv.addAll(List.of("--env", e.getKey() + "=" + e.getValue())));
        for (String d : devices) argv.addAll(List.of("--device", d));
        argv.addAll(limits.runArgs());
        if (workdir != null) argv.addAll(List.of("--workdir", workdir));
        if (user != null) argv.addAll(List.of("--user", user));
        argv.addAll(options.args());
        argv.add(image);
        argv.addAll(command);
        return argv;
    }
}
