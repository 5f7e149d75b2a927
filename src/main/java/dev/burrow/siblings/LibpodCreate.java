package dev.burrow.siblings;

import dev.burrow.http.Refusal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A container create body of Podman's own API (its SpecGenerator), checked field by field and
 * rewritten: the session's label, the session's network, bind sources mapped to the host.
 */
final class LibpodCreate {
    /**
     * Fields any value of which stays inside the sibling, each group with its reason. Anything
     * not named here or in {@link #CHECKED} is refused.
     */
    private static final Set<String> FREE = union(
            // The sibling's own process: what runs, as whom (a user of its own user namespace), with what environment.
            // init is Podman's catatonit, mounted read-only from the host and run inside.
            Set.of("command", "entrypoint", "env", "env_merge", "unsetenv", "unsetenvall", "terminal", "stdin", "create_working_dir", "user",
                    "groups", "umask", "init"),
            // Its lifecycle, kept by Podman for this container alone; health checks run as execs inside it.
            Set.of("name", "stop_signal", "stop_timeout", "timeout", "remove", "restart_policy", "restart_tries", "exit_policy", "healthconfig",
                    "health_check_on_failure_action", "startupHealthConfig"),
            // Files of its own root: /etc/hosts, passwd, group and resolv.conf entries (in the session's network a name server
            // only changes where this container's lookups go: the guard and the proxy are under it), tmpfs and shm sizes,
            // a read-only root, anonymous volumes for the image's VOLUMEs, and more masked paths (never fewer: unmask is refused).
            Set.of("hostname", "manage_password", "passwd_entry", "group_entry", "use_image_hosts", "use_image_resolve_conf", "hostadd",
                    "dns_server", "dns_search", "dns_option", "read_only_filesystem", "read_write_tmpfs", "volatile", "image_volume_mode",
                    "shm_size", "shm_size_systemd", "mask"),
            // Which image: checked as an image reference the session may read (CreateContext.image); the platform picks among its variants.
            Set.of("image", "raw_image_name", "image_arch", "image_os", "image_variant"),
            // Less privilege only.
            Set.of("no_new_privileges", "cap_drop"),
            // Records: the command line inspect shows, ports the image says it uses (nothing is published).
            // sdnotifyMode hands on the service's NOTIFY_SOCKET, and Burrow starts the service without one (PodmanService).
            Set.of("containerCreateCommand", "expose", "sdnotifyMode"));
    /** Fields checked below. */
    private static final Set<String> CHECKED = Set.of("labels", "annotations", "httpproxy", "oom_score_adj", "seccomp_policy", "cgroups_mode",
            "init_container_type", "log_configuration", "resource_limits", "pidns", "utsns", "ipcns", "cgroupns", "userns", "netns", "Networks",
            "portmappings", "mounts", "volumes", "devices", "privileged", "cap_add", "publish_image_ports", "work_dir", "timezone", "systemd",
            "idmappings");
    private static final Set<String> KNOWN = union(FREE, CHECKED);
    private static final Set<String> LOG_DRIVERS = Set.of("", "k8s-file", "journald", "none", "json-file", "passthrough");

    private LibpodCreate() {
    }

    static byte[] check(byte[] body, CreateContext ctx) throws Refusal, IOException {
        ObjectNode o = Fields.object(body, "the container create body");
        Fields.onlyKnown(o, KNOWN, "container option");
        Fields.explicitEnv(o, "env_merge");
        if (!Fields.empty(o.get("env")) && !o.get("env").isObject()) throw Refusal.badRequest("env must be an object of NAME: VALUE");
        SiblingGate.notBurrows(Fields.text(o, "name"), "container");
        // The image by the host's name for it (the session's own image of that name, when it has one).
        for (String field : List.of("image", "raw_image_name")) {
            String named = Fields.text(o, field);
            if (!named.isEmpty()) o.put(field, ctx.image(named));
        }
        if (!Fields.empty(o.get("privileged"))) throw Refusal.forbidden("privileged containers are not allowed in a session (--privileged)");
        Fields.mustBeEmpty(o, "cap_add", "adding capabilities (--cap-add)");
        Fields.mustBeEmpty(o, "publish_image_ports", "publishing ports (-P)");
        Fields.oneOf(o, "seccomp_policy", Set.of("", "default"), "seccomp policy");
        Fields.oneOf(o, "cgroups_mode", Set.of("", "enabled"), "cgroups mode");
        Fields.oneOf(o, "init_container_type", Set.of(""), "init container");
        if (o.has("oom_score_adj") && !o.get("oom_score_adj").isNull() && o.get("oom_score_adj").asInt() < 0) {
            throw Refusal.forbidden("a negative OOM score (--oom-score-adj) is not allowed in a session");
        }
        annotations(o.get("annotations"));
        o.put("httpproxy", false); // the host's proxy settings are the host's; the session's are set below
        o.put("oom_score_adj", dev.burrow.container.ContainerSpec.OOM_SCORE_ADJ); // picked before Burrow when memory runs out
        // A ceiling on the user's processes, as the session's own container has (the client cannot set r_limits).
        int nproc = dev.burrow.container.Limits.NONE.nproc();
        o.putArray("r_limits").addObject().put("type", "nproc").put("hard", nproc).put("soft", nproc);
        Fields.label(o, "labels", ctx.box().sessionId());
        log(o.get("log_configuration"));
        resources(o.get("resource_limits"));
        for (String ns : List.of("pidns", "utsns", "ipcns", "cgroupns")) namespace(o.get(ns), ns, Set.of("", "default", "private", "none", "shareable"));
        // Every sibling runs in the session's user namespace (CreateContext.SHARED_USERNS says why).
        namespace(o.get("userns"), "userns", Set.of("", "default"));
        idMappings(o.get("idmappings"));
        o.putObject("userns").put("nsmode", "container").put("value", ctx.sessionContainer());
        // The CLI's default "true" is systemd mode for an init command only: tmpfs on /run and /tmp in the container, its own
        // cgroup read-only. "always" would force those on any command; nothing needs it.
        Fields.oneOf(o, "systemd", Set.of("", "true", "false"), "systemd mode");
        network(o, ctx);
        mounts(o.get("mounts"), ctx);
        volumes(o.get("volumes"), ctx);
        devices(o.get("devices"), ctx);
        workdir(o, ctx);
        CreateContext.timezone(Fields.text(o, "timezone"));
        return Fields.JSON.writeValueAsBytes(o);
    }

    /**
     * The working dir, named always (the image's when the client names none) and never made by
     * Podman: it makes a missing one on the host, through links the image holds, and chowns it
     * (a session could make dirs in the user's home and hand their files to a sub-id).
     */
    private static void workdir(ObjectNode o, CreateContext ctx) throws Refusal, IOException {
        String dir = Fields.text(o, "work_dir");
        if (dir.isEmpty()) dir = ctx.imageWorkdir(Fields.text(o, "image"));
        o.put("work_dir", dir);
        o.put("create_working_dir", false);
    }

    private static void annotations(JsonNode a) throws Refusal {
        if (Fields.empty(a)) return;
        if (!a.isObject()) throw Refusal.badRequest("annotations must be an object");
        for (String k : a.propertyNames()) {
            if (!k.equals("io.kubernetes.cri-o.TTY") && !k.startsWith("org.opencontainers.image.")) {
                throw Refusal.forbidden("annotation " + k + " is not allowed in a session");
            }
        }
    }

    private static void log(JsonNode l) throws Refusal {
        if (Fields.empty(l)) return;
        if (!l.isObject()) throw Refusal.badRequest("log_configuration must be an object");
        Fields.onlyKnown((ObjectNode) l, Set.of("driver", "size", "options"), "log option");
        Fields.oneOf(l, "driver", LOG_DRIVERS, "log driver");
        JsonNode opts = l.get("options");
        if (!Fields.empty(opts)) {
            for (String k : opts.propertyNames()) {
                if (!Set.of("tag", "max-size").contains(k)) throw Refusal.forbidden("log option " + k + " is not allowed in a session");
            }
        }
    }

    private static void resources(JsonNode r) throws Refusal {
        if (Fields.empty(r)) return;
        if (!r.isObject()) throw Refusal.badRequest("resource_limits must be an object");
        Fields.onlyKnown((ObjectNode) r, Set.of("memory", "cpu", "pids"), "resource limit");
    }

    static void namespace(JsonNode ns, String name, Set<String> modes) throws Refusal {
        if (Fields.empty(ns)) return;
        if (!ns.isObject()) throw Refusal.badRequest(name + " must be an object");
        Fields.onlyKnown((ObjectNode) ns, Set.of("nsmode", "value"), name + " option");
        String mode = Fields.text(ns, "nsmode");
        if (!modes.contains(mode)) {
            if (name.equals("userns")) throw Refusal.forbidden(CreateContext.SHARED_USERNS);
            throw Refusal.forbidden("the " + mode + " " + name.replace("ns", "") + " namespace is not allowed in a session (--" + name.replace("ns", "") + ")");
        }
        String value = Fields.text(ns, "value");
        if (!value.isEmpty() && !(mode.equals("keep-id") || mode.equals("auto")) || !value.matches("[a-z0-9=,:]*")) {
            throw Refusal.forbidden("a " + name + " value is not allowed in a session");
        }
    }

    /**
     * The user namespace's ID mappings: only Podman's defaults, what the CLI sends (the host's
     * mappings, no maps of its own, no automatic namespace): a sibling's user namespace is the
     * session's, whose mappings are Burrow's.
     */
    private static void idMappings(JsonNode m) throws Refusal {
        if (Fields.empty(m)) return;
        if (!(m instanceof ObjectNode mo)) throw Refusal.badRequest("idmappings must be an object");
        Fields.onlyKnown(mo, Set.of("HostUIDMapping", "HostGIDMapping", "UIDMap", "GIDMap", "AutoUserNs", "AutoUserNsOpts"), "ID mapping option");
        for (String host : List.of("HostUIDMapping", "HostGIDMapping")) {
            if (mo.has(host) && !mo.get(host).isNull() && !mo.get(host).isBoolean()) throw Refusal.badRequest(host + " must be true or false");
        }
        Fields.mustBeEmpty(mo, "UIDMap", "a user ID map of the container's own (--uidmap)");
        Fields.mustBeEmpty(mo, "GIDMap", "a group ID map of the container's own (--gidmap)");
        Fields.mustBeEmpty(mo, "AutoUserNs", "an automatic user namespace (--userns=auto)");
        JsonNode opts = mo.get("AutoUserNsOpts");
        if (!Fields.empty(opts)) {
            if (!(opts instanceof ObjectNode oo)) throw Refusal.badRequest("AutoUserNsOpts must be an object");
            Fields.onlyKnown(oo, Set.of("Size", "InitialSize", "PasswdFile", "GroupFile", "AdditionalUIDMappings", "AdditionalGIDMappings"),
                    "automatic user namespace option");
            // What the CLI sends: zeros and empties. Any value is for a namespace of its own (and the files are host paths).
            for (var e : oo.properties()) {
                if (!Fields.empty(e.getValue())) throw Refusal.forbidden("automatic user namespace option " + e.getKey() + " is not allowed in a session");
            }
        }
    }

    /** Siblings share the session's network namespace (or have none): rootless networks all live in one. */
    private static void network(ObjectNode o, CreateContext ctx) throws Refusal {
        if (!Fields.empty(o.get("portmappings"))) throw Refusal.forbidden(CreateContext.NO_PORTS);
        JsonNode nets = o.get("Networks");
        if (!Fields.empty(nets)) throw Refusal.forbidden(CreateContext.NO_NETWORKS);
        o.remove("Networks");
        JsonNode ns = o.get("netns");
        String mode = Fields.empty(ns) ? "" : Fields.text(ns, "nsmode");
        if (!Fields.empty(ns)) Fields.onlyKnown((ObjectNode) ns, Set.of("nsmode", "value"), "netns option");
        if (mode.equals("none")) {
            o.putObject("netns").put("nsmode", "none");
        } else if (Set.of("", "default", "bridge", "private", "slirp4netns").contains(mode) && Fields.text(ns == null ? o : ns, "value").isEmpty()) {
            o.putObject("netns").put("nsmode", "container").put("value", ctx.sessionContainer());
        } else {
            throw Refusal.forbidden("the " + mode + " network is not allowed in a session: " + CreateContext.SHARED_NETWORK);
        }
        if (!ctx.box().proxyEnv().isEmpty()) {
            JsonNode env = o.get("env");
            ObjectNode e = env instanceof ObjectNode eo ? eo : o.putObject("env");
            ctx.box().proxyEnv().forEach((k, v) -> {
                if (!e.has(k)) e.put(k, v);
            });
        }
    }

    private static void mounts(JsonNode mounts, CreateContext ctx) throws Refusal, IOException {
        if (Fields.empty(mounts)) return;
        if (!mounts.isArray()) throw Refusal.badRequest("mounts must be a list");
        for (JsonNode m : mounts) {
            if (!(m instanceof ObjectNode mo)) throw Refusal.badRequest("a mount must be an object");
            Fields.onlyKnown(mo, Set.of("destination", "type", "source", "options"), "mount option");
            Fields.mountOptions(strings(mo.get("options")), "a mount");
            String type = Fields.text(mo, "type");
            switch (type) {
                case "bind" -> mo.put("source", ctx.bindSource(Fields.text(mo, "source")));
                case "tmpfs" -> mo.remove("source");
                case "volume" -> mo.put("source", ctx.volume(Fields.text(mo, "source")));
                default -> throw Refusal.forbidden("mounts of type " + type + " are not allowed in a session");
            }
        }
    }

    private static void volumes(JsonNode volumes, CreateContext ctx) throws Refusal, IOException {
        if (Fields.empty(volumes)) return;
        if (!volumes.isArray()) throw Refusal.badRequest("volumes must be a list");
        for (JsonNode v : volumes) {
            if (!(v instanceof ObjectNode vo)) throw Refusal.badRequest("a volume must be an object");
            Fields.onlyKnown(vo, Set.of("Name", "Dest", "Options", "IsAnonymous"), "volume option");
            Fields.mountOptions(strings(vo.get("Options")), "a volume");
            String name = Fields.text(vo, "Name");
            if (!name.isEmpty()) vo.put("Name", ctx.volume(name));
        }
    }

    private static void devices(JsonNode devices, CreateContext ctx) throws Refusal {
        if (Fields.empty(devices)) return;
        if (!devices.isArray()) throw Refusal.badRequest("devices must be a list");
        for (JsonNode d : devices) {
            if (!(d instanceof ObjectNode dobj)) throw Refusal.badRequest("a device must be an object");
            Fields.onlyKnown(dobj, Set.of("path"), "device option");
            ctx.device(Fields.text(dobj, "path"));
        }
    }

    static List<String> strings(JsonNode n) throws Refusal {
        List<String> out = new ArrayList<>();
        if (Fields.empty(n)) return out;
        if (!(n instanceof ArrayNode a)) throw Refusal.badRequest("expected a list of strings");
        for (JsonNode s : a) {
            if (!s.isString()) throw Refusal.badRequest("expected a list of strings");
            out.add(s.asString());
        }
        return out;
    }

    @SafeVarargs
    static Set<String> union(Set<String>... sets) {
        Set<String> out = new java.util.HashSet<>();
        for (Set<String> s : sets) out.addAll(s);
        return Set.copyOf(out);
    }
}
