package dev.burrow.siblings;

import dev.burrow.http.Refusal;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A container create body of the Docker-compatible API, checked field by field and
 * rewritten like {@link LibpodCreate}'s.
 */
final class DockerCreate {
    private static final Set<String> CONFIG = Set.of("Hostname", "Domainname", "User", "AttachStdin", "AttachStdout", "AttachStderr",
            "ExposedPorts", "Tty", "OpenStdin", "StdinOnce", "Env", "Cmd", "Healthcheck", "ArgsEscaped", "Image", "Volumes", "WorkingDir",
            "Entrypoint", "NetworkDisabled", "OnBuild", "Labels", "StopSignal", "StopTimeout", "Shell", "HostConfig", "NetworkingConfig");
    /** HostConfig fields any value of which stays inside the sibling, each group with its reason; the rest is checked or refused. */
    private static final Set<String> HOST_FREE = LibpodCreate.union(
            // Its lifecycle and console, kept by Podman for this container alone.
            Set.of("RestartPolicy", "AutoRemove", "ConsoleSize", "Init"),
            // Less privilege only.
            Set.of("CapDrop", "ReadonlyRootfs"),
            // Files of its own root: resolv.conf and hosts entries (a name server changes only where its lookups go), groups, shm.
            Set.of("Dns", "DnsOptions", "DnsSearch", "ExtraHosts", "GroupAdd", "ShmSize"),
            // Limits on it: rootless, only what the user's own delegated cgroup allows, and never above it.
            Set.of("CpuShares", "Memory", "NanoCpus", "CpuPeriod", "CpuQuota", "CpusetCpus", "CpusetMems", "MemoryReservation", "MemorySwap",
                    "MemorySwappiness", "PidsLimit", "CpuCount", "CpuPercent", "BlkioWeight"));
    /**
     * Checked below. Tmpfs: its options as a mount's. MaskedPaths and ReadonlyPaths must be empty:
     * given, they replace Podman's defaults (the masks over /proc/kcore, /sys/firmware and the rest).
     */
    private static final Set<String> HOST_CHECKED = Set.of("Binds", "Mounts", "NetworkMode", "PortBindings", "LogConfig", "VolumeDriver",
            "IpcMode", "PidMode", "UTSMode", "UsernsMode", "CgroupnsMode", "Cgroup", "OomScoreAdj", "SecurityOpt", "Devices", "Privileged",
            "PublishAllPorts", "Isolation", "Tmpfs", "MaskedPaths", "ReadonlyPaths");
    private static final Set<String> HOST_KNOWN = LibpodCreate.union(HOST_FREE, HOST_CHECKED);

    private DockerCreate() {
    }

    static byte[] check(byte[] body, CreateContext ctx) throws Refusal, IOException {
        ObjectNode o = Fields.object(body, "the container create body");
        Fields.onlyKnown(o, CONFIG, "container option");
        Fields.explicitEnv(o, "Env");
        Fields.label(o, "Labels", ctx.box().sessionId());
        if (!Fields.text(o, "Image").isEmpty()) o.put("Image", ctx.image(Fields.text(o, "Image"))); // the host's name for it
        JsonNode hc = o.get("HostConfig");
        if (hc != null && !hc.isNull() && !hc.isObject()) throw Refusal.badRequest("HostConfig must be an object");
        ObjectNode h = hc instanceof ObjectNode ho ? ho : o.putObject("HostConfig");
        Fields.onlyKnown(h, HOST_KNOWN, "container option");
        if (!Fields.empty(h.get("Privileged"))) throw Refusal.forbidden("privileged containers are not allowed in a session (--privileged)");
        Fields.mustBeEmpty(h, "PublishAllPorts", "publishing ports (-P)");
        Fields.mustBeEmpty(h, "MaskedPaths", "changing the masked paths");
        Fields.mustBeEmpty(h, "ReadonlyPaths", "changing the read-only paths");
        tmpfs(h.get("Tmpfs"));
        Fields.oneOf(h, "VolumeDriver", Set.of("", "local"), "volume driver");
        Fields.oneOf(h, "IpcMode", Set.of("", "private", "none", "shareable"), "IPC mode");
        Fields.oneOf(h, "PidMode", Set.of("", "private"), "PID mode");
        Fields.oneOf(h, "UTSMode", Set.of("", "private"), "UTS mode");
        // Every sibling runs in the session's user namespace (CreateContext.SHARED_USERNS says why).
        if (!Fields.text(h, "UsernsMode").isEmpty()) throw Refusal.forbidden(CreateContext.SHARED_USERNS);
        h.put("UsernsMode", "container:" + ctx.sessionContainer());
        Fields.oneOf(h, "CgroupnsMode", Set.of("", "private"), "cgroup namespace mode");
        Fields.oneOf(h, "Cgroup", Set.of(""), "cgroup");
        Fields.oneOf(h, "Isolation", Set.of("", "default"), "isolation");
        if (h.has("OomScoreAdj") && h.get("OomScoreAdj").asInt() < 0) throw Refusal.forbidden("a negative OOM score (--oom-score-adj) is not allowed in a session");
        h.put("OomScoreAdj", dev.burrow.container.ContainerSpec.OOM_SCORE_ADJ); // picked before Burrow when memory runs out
        // A ceiling on the user's processes, as the session's own container has (the client cannot set Ulimits).
        int nproc = dev.burrow.container.Limits.NONE.nproc();
        h.putArray("Ulimits").addObject().put("Name", "nproc").put("Soft", nproc).put("Hard", nproc);
        for (String opt : LibpodCreate.strings(h.get("SecurityOpt"))) {
            if (!opt.equals("no-new-privileges") && !opt.equals("no-new-privileges:true")) {
                throw Refusal.forbidden("security option " + opt + " is not allowed in a session");
            }
        }
        log(h.get("LogConfig"));
        network(o, h, ctx);
        binds(h, ctx);
        mounts(h.get("Mounts"), ctx);
        devices(h.get("Devices"), ctx);
        workdir(o, h, ctx);
        return Fields.JSON.writeValueAsBytes(o);
    }

    /**
     * Docker's API has Podman make a missing working dir, on the host, through links the image
     * may hold: the working dir must be / or lie on one of the container's mounts.
     */
    private static void workdir(ObjectNode o, ObjectNode h, CreateContext ctx) throws Refusal, IOException {
        String dir = Fields.text(o, "WorkingDir");
        if (dir.isEmpty()) dir = ctx.imageWorkdir(Fields.text(o, "Image"));
        if (dir.equals("/")) return;
        java.util.List<String> destinations = new java.util.ArrayList<>();
        for (String b : LibpodCreate.strings(h.get("Binds"))) {
            String[] parts = b.split(":");
            if (parts.length >= 2) destinations.add(parts[1]);
        }
        for (JsonNode m : h.path("Mounts")) destinations.add(m.path("Target").asString(""));
        if (h.get("Tmpfs") instanceof ObjectNode t) destinations.addAll(t.propertyNames());
        if (!CreateContext.onMount(dir, destinations)) {
            throw Refusal.forbidden("through Docker's API a container's working dir must be / or on one of its mounts (" + dir
                    + "): Podman would make it on the host; use podman, or -w on a mount");
        }
    }

    /** Docker's Tmpfs: {"/dest": "opt,opt"}, each option one a mount may have. */
    private static void tmpfs(JsonNode t) throws Refusal {
        if (Fields.empty(t)) return;
        if (!(t instanceof ObjectNode to)) throw Refusal.badRequest("Tmpfs must be an object of destination: options");
        for (var e : to.properties()) {
            if (!e.getKey().startsWith("/")) throw Refusal.badRequest("a tmpfs destination must be an absolute path: " + e.getKey());
            if (!e.getValue().isString() && !e.getValue().isNull()) throw Refusal.badRequest("tmpfs options must be a string");
            String opts = e.getValue().asString("");
            if (!opts.isEmpty()) Fields.mountOptions(java.util.List.of(opts.split(",", -1)), "a tmpfs");
        }
    }

    private static void log(JsonNode l) throws Refusal {
        if (Fields.empty(l)) return;
        if (!(l instanceof ObjectNode lo)) throw Refusal.badRequest("LogConfig must be an object");
        Fields.onlyKnown(lo, Set.of("Type", "Config"), "log option");
        Fields.oneOf(lo, "Type", Set.of("", "json-file", "k8s-file", "journald", "none", "passthrough"), "log driver");
        JsonNode cfg = lo.get("Config");
        if (!Fields.empty(cfg)) {
            for (String k : cfg.propertyNames()) {
                if (!Set.of("tag", "max-size", "max-file").contains(k)) throw Refusal.forbidden("log option " + k + " is not allowed in a session");
            }
        }
    }

    private static void network(ObjectNode o, ObjectNode h, CreateContext ctx) throws Refusal {
        if (!Fields.empty(h.get("PortBindings"))) throw Refusal.forbidden(CreateContext.NO_PORTS);
        String mode = Fields.text(h, "NetworkMode");
        JsonNode endpoints = o.path("NetworkingConfig").path("EndpointsConfig");
        if (endpoints.isObject()) {
            for (String name : endpoints.propertyNames()) {
                if (!name.equals(mode) && !Set.of("bridge", "default", "podman").contains(name)) throw Refusal.forbidden(CreateContext.NO_NETWORKS);
            }
        }
        o.remove("NetworkingConfig");
        if (mode.equals("none") || Fields.empty(o.get("NetworkDisabled")) == false) {
            h.put("NetworkMode", "none");
        } else if (Set.of("", "default", "bridge", "private", "slirp4netns").contains(mode)) {
            h.put("NetworkMode", "container:" + ctx.sessionContainer());
        } else {
            throw Refusal.forbidden("the " + mode + " network is not allowed in a session: " + CreateContext.SHARED_NETWORK);
        }
        if (!ctx.box().proxyEnv().isEmpty()) {
            JsonNode env = o.get("Env");
            ArrayNode e = env instanceof ArrayNode ea ? ea : o.putArray("Env");
            for (Map.Entry<String, String> kv : ctx.box().proxyEnv().entrySet()) {
                boolean set = false;
                for (JsonNode x : e) set |= x.asString("").startsWith(kv.getKey() + "=");
                if (!set) e.add(kv.getKey() + "=" + kv.getValue());
            }
        }
    }

    /** "SOURCE:DEST[:OPTIONS]": a path source is a bind mount, anything else a named volume. */
    private static void binds(ObjectNode h, CreateContext ctx) throws Refusal, IOException {
        JsonNode b = h.get("Binds");
        if (Fields.empty(b)) return;
        ArrayNode out = Fields.JSON.createArrayNode();
        for (String bind : LibpodCreate.strings(b)) {
            String[] parts = bind.split(":", -1);
            if (parts.length < 2 || parts.length > 3) throw Refusal.badRequest("a bind must be SOURCE:DEST[:OPTIONS], not " + bind);
            if (parts.length == 3) Fields.mountOptions(java.util.List.of(parts[2].split(",")), "a bind");
            String source = parts[0].startsWith("/") ? ctx.bindSource(parts[0]) : ctx.volume(parts[0]);
            out.add(source + ":" + parts[1] + (parts.length == 3 ? ":" + parts[2] : ""));
        }
        h.set("Binds", out);
    }

    private static void mounts(JsonNode mounts, CreateContext ctx) throws Refusal, IOException {
        if (Fields.empty(mounts)) return;
        if (!mounts.isArray()) throw Refusal.badRequest("Mounts must be a list");
        for (JsonNode m : mounts) {
            if (!(m instanceof ObjectNode mo)) throw Refusal.badRequest("a mount must be an object");
            Fields.onlyKnown(mo, Set.of("Type", "Source", "Target", "ReadOnly", "Consistency", "BindOptions", "TmpfsOptions", "VolumeOptions"), "mount option");
            JsonNode bo = mo.get("BindOptions");
            if (!Fields.empty(bo)) {
                Fields.onlyKnown((ObjectNode) bo, Set.of("Propagation"), "bind option");
                Fields.oneOf(bo, "Propagation", Set.of("", "private", "rprivate", "slave", "rslave"), "mount propagation");
            }
            JsonNode vo = mo.get("VolumeOptions");
            if (!Fields.empty(vo)) Fields.onlyKnown((ObjectNode) vo, Set.of("NoCopy"), "volume option");
            JsonNode to = mo.get("TmpfsOptions");
            if (!Fields.empty(to)) Fields.onlyKnown((ObjectNode) to, Set.of("SizeBytes", "Mode"), "tmpfs option");
            String type = Fields.text(mo, "Type");
            switch (type) {
                case "bind" -> mo.put("Source", ctx.bindSource(Fields.text(mo, "Source")));
                case "volume" -> {
                    if (!Fields.text(mo, "Source").isEmpty()) mo.put("Source", ctx.volume(Fields.text(mo, "Source")));
                }
                case "tmpfs" -> mo.remove("Source");
                default -> throw Refusal.forbidden("mounts of type " + type + " are not allowed in a session");
            }
        }
    }

    private static void devices(JsonNode devices, CreateContext ctx) throws Refusal {
        if (Fields.empty(devices)) return;
        if (!devices.isArray()) throw Refusal.badRequest("Devices must be a list");
        for (JsonNode d : devices) {
            if (!(d instanceof ObjectNode dobj)) throw Refusal.badRequest("a device must be an object");
            Fields.onlyKnown(dobj, Set.of("PathOnHost", "PathInContainer", "CgroupPermissions"), "device option");
            ctx.device(Fields.text(dobj, "PathOnHost"));
        }
    }
}
