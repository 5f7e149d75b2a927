package dev.burrow.environment;

import dev.burrow.container.RunOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * devcontainer.json's say over the session's container: mounts, runArgs, workspaceFolder,
 * forwardPorts and portsAttributes. Each mount and each run argument is held to what a
 * sibling's create request may have (siblings/LibpodCreate): what changes only the
 * container's own files or takes privilege away passes; a host path, a host namespace, more
 * privilege or a device is refused, that entry alone, with one line naming it. The session
 * then starts without it, as its transcript says.
 */
final class RunArgs {
    /** podman run's options that take no value: what follows them is the next option. */
    private static final Set<String> FLAGS = Set.of("--privileged", "--init", "--rm", "-d", "--detach", "-i", "--interactive", "-t", "--tty",
            "--read-only", "--read-only-tmpfs", "--no-hosts", "--replace", "--rmi", "--no-healthcheck", "--oom-kill-disable", "--sig-proxy",
            "-P", "--publish-all", "--http-proxy", "-it", "-ti");
    /** Paths of the container that are Burrow's (its mounts, its tools) or the system's: no tmpfs and no workspace goes there. */
    private static final List<String> RESERVED_UNDER = List.of("/workspace", "/run", "/proc", "/sys", "/dev", "/opt/burrow-runner", "/usr",
            "/etc", "/bin", "/sbin", "/lib", "/lib64", "/boot");
    private static final Set<String> RESERVED = Set.of("/", "/home", "/root", "/tmp", "/var", "/opt");
    private static final String PATH = "/[A-Za-z0-9._@+/-]{1,200}";

    /**
     * @param run   what the container gets
     * @param gpu   runArgs asked for the GPU (--gpus, or the GPU's CDI device)
     * @param env   variables runArgs set (-e)
     * @param lines what was refused or not supported, one line each
     */
    record Parsed(Environment.RunSettings run, boolean gpu, Map<String, String> env, List<String> lines) {
    }

    private RunArgs() {
    }

    static Parsed parse(JsonNode root, String path) {
        List<String> lines = new ArrayList<>();
        String workdir = workdir(root, lines);
        RunOptions options = RunOptions.NONE;
        for (JsonNode m : list(root, "mounts", path)) options = mount(m, options, workdir, lines, "mounts", path);
        boolean gpu = false;
        Map<String, String> env = new LinkedHashMap<>();
        List<String> args = new ArrayList<>();
        for (JsonNode a : list(root, "runArgs", path)) {
            if (!a.isString()) throw new EnvironmentException(path + ": runArgs must be an array of strings");
            args.add(a.asString());
        }
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String name = arg, value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("-") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            } else if (arg.startsWith("-") && !FLAGS.contains(arg) && i + 1 < args.size()) {
                value = args.get(++i);
            }
            String entry = "runArgs " + (value == null ? name : name + " " + value);
            try {
                switch (name) {
                    case "--init" -> { } // every session's container has it
                    case "--shm-size" -> options = options.withShmSize(value);
                    case "--cap-drop" -> {
                        for (String c : value.split(",")) options = options.withCapDrop(c.strip());
                    }
                    case "--add-host" -> options = options.withHost(value);
                    case "--hostname", "-h" -> options = options.withHostname(value);
                    case "--tmpfs" -> options = tmpfs(value, options, workdir, lines, entry);
                    case "--mount" -> options = mount(tools.jackson.databind.node.JsonNodeFactory.instance.stringNode(value == null ? "" : value), options, workdir, lines, "runArgs --mount", path);
                    case "--security-opt" -> {
                        if (!Set.of("no-new-privileges", "no-new-privileges:true", "no-new-privileges=true").contains(value)) {
                            throw new Refused("only no-new-privileges is allowed in a session; seccomp, AppArmor and SELinux stay Burrow's");
                        }
                        options = options.withNoNewPrivileges();
                    }
                    case "--env", "-e" -> {
                        if (value == null || !value.matches("[A-Za-z_][A-Za-z0-9_]*=[^\n\u0000]*")) throw new Refused("give it as NAME=VALUE");
                        env.put(value.substring(0, value.indexOf('=')), value.substring(value.indexOf('=') + 1));
                    }
                    case "--gpus" -> gpu = true;
                    case "--device" -> {
                        if (value == null || !value.startsWith("nvidia.com/gpu=")) throw new Refused("devices are not given to a session; the GPU is (hostRequirements.gpu)");
                        gpu = true;
                    }
                    case "--privileged" -> throw new Refused("privileged containers are not allowed in a session");
                    case "--cap-add" -> throw new Refused("adding capabilities is not allowed in a session");
                    case "--network", "--net" -> throw new Refused("the session's network is its policy's (none, allowlist or full): choose that for the session");
                    case "--pid", "--ipc", "--uts", "--userns", "--cgroupns", "--cgroup-parent" ->
                            throw new Refused("the " + name.substring(2) + " namespace of a session is its own");
                    case "-v", "--volume", "--volumes-from" -> throw new Refused("no path of your machine and no volume that outlives the session is given to it (a tmpfs mount is)");
                    case "-p", "--publish", "-P", "--publish-all", "--expose" -> throw new Refused("nothing is published from a session; forwardPorts become its preview links");
                    case "--user", "-u", "--userns-uid-map", "--uidmap", "--gidmap", "--group-add" -> throw new Refused("the agent's user is remoteUser or containerUser");
                    case "--workdir", "-w" -> throw new Refused("the agent works in workspaceFolder");
                    case "--memory", "-m", "--memory-swap", "--cpus", "--cpu-shares", "--pids-limit", "--ulimit" ->
                            throw new Refused("Burrow sets a session's limits (BURROW_SESSION_MEMORY, BURROW_SESSION_CPUS)");
                    default -> throw new Refused(arg.startsWith("-") ? "not allowed in a session" : "not an option");
                }
            } catch (Refused | IllegalArgumentException e) {
                lines.add(entry + ": refused: " + (e instanceof Refused ? e.getMessage() : "its value is not one Burrow accepts") + "; not applied");
            }
        }
        return new Parsed(new Environment.RunSettings(options, workdir, ports(root, path, lines)), gpu, env, lines);
    }

    /** A Refused entry: the line says why. */
    private static final class Refused extends RuntimeException {
        Refused(String why) {
            super(why, null, false, false);
        }
    }

    /** A mount, in its string form ("type=tmpfs,target=/x") or its object form; only a tmpfs passes. */
    private static RunOptions mount(JsonNode m, RunOptions options, String workdir, List<String> lines, String field, String path) {
        Map<String, String> kv = new LinkedHashMap<>();
        String shown;
        if (m.isString()) {
            shown = m.asString();
            for (String part : shown.split(",")) {
                int eq = part.indexOf('=');
                kv.put(eq < 0 ? part.strip() : part.substring(0, eq).strip(), eq < 0 ? "" : part.substring(eq + 1).strip());
            }
        } else if (m.isObject()) {
            shown = m.toString();
            for (var e : m.properties()) kv.put(e.getKey(), e.getValue().asString(""));
        } else {
            throw new EnvironmentException(path + ": " + field + " must be strings (source=…,target=…,type=…) or objects");
        }
        String entry = field + " " + shown;
        String type = kv.getOrDefault("type", "volume");
        String target = kv.getOrDefault("target", kv.getOrDefault("destination", kv.getOrDefault("dst", "")));
        switch (type) {
            case "tmpfs" -> {
                return tmpfs(target, options, workdir, lines, entry);
            }
            case "bind" -> lines.add(entry + ": refused: no path of your machine is given to a session; not applied");
            case "volume" -> lines.add(entry + ": refused: a named volume would outlive the session and reach the next one (a tmpfs mount is given); not applied");
            default -> lines.add(entry + ": refused: mounts of type " + type + " are not allowed in a session; not applied");
        }
        return options;
    }

    private static RunOptions tmpfs(String target, RunOptions options, String workdir, List<String> lines, String entry) {
        if (target == null || !target.matches(PATH) || reserved(target) || under(target, workdir) || target.contains("/.claude")) {
            lines.add(entry + ": refused: a tmpfs goes at a path of the container's own, not " + (target == null || target.isEmpty() ? "nowhere" : target)
                    + " (Burrow's mounts and the system's folders are not covered); not applied");
            return options;
        }
        return options.withTmpfs(target);
    }

    /**
     * workspaceFolder: /workspace (Burrow's default), a folder of the workspace, or another path
     * where the workspace is also seen. ${localWorkspaceFolderBasename} reads "workspace": the
     * name of your folder is your machine's.
     */
    private static String workdir(JsonNode root, List<String> lines) {
        JsonNode v = root.get("workspaceFolder");
        if (v == null || v.isNull()) return Environment.WORKSPACE;
        String w = v.asString("").replace("${localWorkspaceFolderBasename}", "workspace");
        while (w.length() > 1 && w.endsWith("/")) w = w.substring(0, w.length() - 1);
        boolean normal = w.matches(PATH) && !w.contains("//") && !w.contains("/./") && !w.contains("/../") && !w.endsWith("/..") && !w.endsWith("/.");
        if (normal && (w.equals(Environment.WORKSPACE) || w.startsWith(Environment.WORKSPACE + "/") || !reserved(w))) return w;
        lines.add("workspaceFolder " + v + ": refused: it must be an absolute path of the container's own (not a system folder); /workspace is used");
        return Environment.WORKSPACE;
    }

    private static boolean reserved(String p) {
        return RESERVED.contains(p) || RESERVED_UNDER.stream().anyMatch(r -> under(p, r));
    }

    private static boolean under(String p, String dir) {
        return p.equals(dir) || p.startsWith(dir + "/");
    }

    /** forwardPorts (numbers, or "localhost:N"), labelled by portsAttributes. */
    private static List<Environment.Port> ports(JsonNode root, String path, List<String> lines) {
        JsonNode attrs = root.path("portsAttributes");
        List<Environment.Port> out = new ArrayList<>();
        for (JsonNode p : list(root, "forwardPorts", path)) {
            String s = p.isNumber() ? String.valueOf(p.asInt()) : p.isString() ? p.asString() : "";
            if (s.startsWith("localhost:") || s.startsWith("127.0.0.1:")) s = s.substring(s.indexOf(':') + 1);
            if (!s.matches("[0-9]{1,5}") || Integer.parseInt(s) < 1 || Integer.parseInt(s) > 65535) {
                lines.add("forwardPorts " + p + ": only ports of the session's container are previewed; ignored");
                continue;
            }
            int port = Integer.parseInt(s);
            if (out.stream().anyMatch(x -> x.port() == port)) continue;
            JsonNode a = attrs.path(String.valueOf(port));
            String label = a.path("label").asString("").replaceAll("[\\p{Cntrl}]", "").strip();
            if (label.length() > 60) label = label.substring(0, 60);
            for (String field : a.propertyNames()) {
                if (!field.equals("label")) lines.add("portsAttributes." + port + "." + field + ": not supported by Burrow yet; ignored");
            }
            out.add(new Environment.Port(port, label));
        }
        return out;
    }

    private static List<JsonNode> list(JsonNode root, String field, String path) {
        JsonNode v = root.get(field);
        List<JsonNode> out = new ArrayList<>();
        if (v == null || v.isNull()) return out;
        if (!v.isArray()) throw new EnvironmentException(path + ": " + field + " must be an array");
        v.forEach(out::add);
        return out;
    }
}
