package dev.burrow.container;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The few `podman run` options a repository's environment may add to its session's container
 * (devcontainer.json's mounts and runArgs, once {@code dev.burrow.environment.RunArgs} let them
 * through): each changes only the container's own files or takes privilege away. Every value is
 * checked again here, whoever made the record, and becomes its own argv element.
 *
 * @param tmpfs           paths that get a tmpfs of their own
 * @param shmSize         the size of /dev/shm (podman's SIZE: digits and a unit), or null
 * @param capDrop         capabilities taken away
 * @param hosts           /etc/hosts entries, NAME:ADDRESS
 * @param hostname        the container's host name, or null
 * @param noNewPrivileges no process gains privilege (sudo then stops working: the repository's choice)
 */
public record RunOptions(List<String> tmpfs, String shmSize, List<String> capDrop, List<String> hosts, String hostname, boolean noNewPrivileges) {
    private static final Pattern PATH = Pattern.compile("/[A-Za-z0-9._@+/-]{1,200}");
    private static final Pattern SIZE = Pattern.compile("[0-9]{1,12}[bkmgBKMG]?");
    private static final Pattern CAP = Pattern.compile("(CAP_)?[A-Z_]{2,32}|ALL|all");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,252}:[0-9a-fA-F.:]{2,45}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,62}");

    public static final RunOptions NONE = new RunOptions(List.of(), null, List.of(), List.of(), null, false);

    public RunOptions {
        tmpfs = List.copyOf(tmpfs);
        capDrop = List.copyOf(capDrop);
        hosts = List.copyOf(hosts);
        for (String t : tmpfs) {
            if (!PATH.matcher(t).matches() || t.contains("//") || t.contains("/../") || t.endsWith("/..")) throw new IllegalArgumentException("not a tmpfs path: " + t);
        }
        if (shmSize != null && !SIZE.matcher(shmSize).matches()) throw new IllegalArgumentException("not a size: " + shmSize);
        for (String c : capDrop) if (!CAP.matcher(c).matches()) throw new IllegalArgumentException("not a capability: " + c);
        for (String h : hosts) if (!HOST.matcher(h).matches()) throw new IllegalArgumentException("not a host entry: " + h);
        if (hostname != null && !NAME.matcher(hostname).matches()) throw new IllegalArgumentException("not a host name: " + hostname);
    }

    public boolean none() {
        return equals(NONE);
    }

    /** The options as podman's arguments, each value in its own element (never parsed by a shell). */
    List<String> args() {
        List<String> out = new ArrayList<>();
        for (String t : tmpfs) out.addAll(List.of("--tmpfs", t));
        if (shmSize != null) out.add("--shm-size=" + shmSize);
        for (String c : capDrop) out.add("--cap-drop=" + c);
        for (String h : hosts) out.add("--add-host=" + h);
        if (hostname != null) out.add("--hostname=" + hostname);
        if (noNewPrivileges) out.addAll(List.of("--security-opt", "no-new-privileges"));
        return out;
    }

    /** One more tmpfs, … : the builders {@code dev.burrow.environment.RunArgs} uses. */
    public RunOptions withTmpfs(String path) {
        List<String> t = new ArrayList<>(tmpfs);
        t.add(Objects.requireNonNull(path));
        return new RunOptions(t, shmSize, capDrop, hosts, hostname, noNewPrivileges);
    }

    public RunOptions withShmSize(String size) {
        return new RunOptions(tmpfs, size, capDrop, hosts, hostname, noNewPrivileges);
    }

    public RunOptions withCapDrop(String cap) {
        List<String> c = new ArrayList<>(capDrop);
        c.add(cap);
        return new RunOptions(tmpfs, shmSize, c, hosts, hostname, noNewPrivileges);
    }

    public RunOptions withHost(String entry) {
        List<String> h = new ArrayList<>(hosts);
        h.add(entry);
        return new RunOptions(tmpfs, shmSize, capDrop, h, hostname, noNewPrivileges);
    }

    public RunOptions withHostname(String name) {
        return new RunOptions(tmpfs, shmSize, capDrop, hosts, name, noNewPrivileges);
    }

    public RunOptions withNoNewPrivileges() {
        return new RunOptions(tmpfs, shmSize, capDrop, hosts, hostname, true);
    }
}
