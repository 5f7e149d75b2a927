package dev.burrow.siblings;

import dev.burrow.http.Refusal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The query of an image build, for both APIs, checked parameter by parameter: a build runs on
 * the host's Podman, so it may not name host paths (seccomp profiles, volumes, secrets), a
 * host namespace, a context Podman would fetch, nor a network the session's policy lacks. The
 * image gets the session's label.
 */
final class BuildQuery {
    /** Parameters any value of which is about the image alone. */
    private static final Set<String> FREE = Set.of("q", "nocache", "rm", "forcerm", "memory", "memswap", "cpushares", "cpusetcpus", "cpuperiod",
            "cpuquota", "buildargs", "shmsize", "squash", "target", "platform", "outputformat", "layers", "jobs", "identitylabel",
            "idmappingoptions", "omithistory", "timestamp", "unsetenv", "unsetlabel", "extrahosts", "dnsservers", "dnssearch", "dnsoptions",
            "httpproxy", "annotations", "format", "dropcapabilities", "compression");
    private static final Set<String> CHECKED = Set.of("t", "output", "dockerfile", "labels", "isolation", "networkmode", "nsoptions", "seccomp",
            "pullpolicy", "pull", "remote");

    private BuildQuery() {
    }

    static Map<String, List<String>> check(Target t, SessionBox box, Images images) throws Refusal, IOException {
        // Podman reads some names only as spelled in its API ("dockerfile", "buildargs", "nsoptions") and
        // others in any case: the names go on as the API spells them, so that it reads what Burrow checked.
        Map<String, List<String>> q = new LinkedHashMap<>();
        for (var e : t.query().entrySet()) {
            String name = Fields.fold(e.getKey());
            if (FREE.contains(name) || CHECKED.contains(name)) {
                q.put(name, e.getValue());
                continue;
            }
            for (String v : e.getValue()) {
                if (!v.isEmpty() && !v.equals("[]") && !v.equals("{}") && !v.equals("null")) {
                    throw Refusal.forbidden("build option " + e.getKey() + " is not allowed through a session's Podman socket");
                }
            }
        }
        if (!t.param("remote").isEmpty()) throw Refusal.forbidden("builds come only from a context the client uploads (no remote)");
        for (String f : dockerfiles(t)) {
            if (f.contains("://")) throw Refusal.forbidden("builds come only from a context the client uploads (the Containerfile is " + f + ")");
            if (f.startsWith("/") || List.of(f.split("/")).contains("..")) {
                throw Refusal.forbidden("the Containerfile must be named inside the uploaded context, not " + f);
            }
            // Podman runs a Containerfile.in through the host's C preprocessor, which reads host files.
            if (f.endsWith(".in")) throw Refusal.forbidden("Containerfiles ending in .in are not allowed in a session's builds (" + f + ")");
        }
        // One Containerfile, named as a plain string: Podman joins that with the context dir, while a
        // JSON list it would open as given, relative to its own working dir.
        List<String> files = dockerfiles(t);
        if (files.size() > 1) throw Refusal.forbidden("a session's builds take one Containerfile, not " + files.size());
        if (files.size() == 1) {
            if (files.getFirst().startsWith("[")) throw Refusal.badRequest("a Containerfile name may not start with [");
            q.put("dockerfile", List.of(files.getFirst()));
        }
        // The image's names are kept in the session's own name space (ImageNames): never ones the user's tools resolve.
        List<String> tags = new ArrayList<>();
        for (String name : t.params("t")) if (!name.isEmpty()) tags.add(images.ownName(name));
        if (q.containsKey("t")) q.put("t", tags); // in its place (q's names are folded already)
        // buildah's output is the image's name when given.
        if (!t.param("output").isEmpty()) q.put("output", List.of(images.ownName(t.param("output"))));
        // Chroot isolation (2) runs RUN steps in the host's namespaces.
        if (!Set.of("", "0", "1", "3", "default", "oci", "rootless").contains(t.param("isolation"))) {
            throw Refusal.forbidden("build isolation " + t.param("isolation") + " is not allowed in a session");
        }
        nsOptions(t.param("nsoptions"));
        if (!Set.of("", "/usr/share/containers/seccomp.json").contains(t.param("seccomp"))) {
            throw Refusal.forbidden("a seccomp profile from the host is not allowed in a session's builds");
        }
        String net = t.param("networkmode");
        if (!Set.of("", "0", "1", "default", "bridge", "private", "none").contains(net)) {
            throw Refusal.forbidden("build network " + net + " is not allowed in a session");
        }
        // RUN steps join the network namespace of the session's build network (SessionBox.BuildNetwork) by a pin (Pins),
        // so the session's policy holds for them as for the agent: the guard under full, loopback and the session's proxy
        // under none and allowlist. Not the session container's: a RUN step is root of Podman's user namespace, which owns
        // the session's, and there it would own the guard, or take the session's namespaces from the agent over an abstract
        // unix socket. Left to Podman they would run in a network of its own (the host's loopback through slirp4netns's
        // gateway) or, through Docker's API without nsoptions, in the host's own network namespace.
        box.sessionContainer().get().orElseThrow(() -> new Refusal(409, "the session's container is not running"));
        String container = box.buildNetwork().container();
        q = t.with(q, "nsoptions", List.of(nsOptionsJoining(box.pins().network(container))));
        q = t.with(q, "networkmode", List.of("0"));
        if (!box.policy().proxied()) {
            // Under full FROM pulls what is missing, as Burrow checked it (registry, private addresses);
            // "always" or "newer" would fetch images that are here, which Burrow does not check.
            q = t.libpod() ? t.with(q, "pullpolicy", List.of("missing")) : t.with(q, "pull", List.of("false"));
        } else {
            // Under none and allowlist FROM pulls nothing, and RUN steps reach out through the session's proxy.
            q = t.libpod() ? t.with(q, "pullpolicy", List.of("never")) : t.with(q, "pull", List.of("false"));
            q = t.with(q, "buildargs", List.of(withProxies(t, box)));
        }
        return t.with(q, "labels", List.of(labels(t.param("labels"), box.sessionId())));
    }

    static List<String> dockerfiles(Target t) throws Refusal {
        String raw = t.param("dockerfile");
        if (raw.isEmpty()) return List.of();
        if (!raw.startsWith("[")) return List.of(raw);
        List<String> out = new ArrayList<>();
        for (JsonNode n : Fields.JSON.readTree(raw)) out.add(n.asString(""));
        return out;
    }

    /** The build's arguments (buildargs, a JSON object), for the Containerfile's variables. */
    static Map<String, String> buildArgs(Target t) throws Refusal {
        String raw = t.param("buildargs");
        Map<String, String> out = new LinkedHashMap<>();
        if (raw.isEmpty() || raw.equals("null")) return out;
        ObjectNode o = Fields.object(raw.getBytes(java.nio.charset.StandardCharsets.UTF_8), "build arguments");
        o.properties().forEach(e -> out.put(e.getKey(), e.getValue().asString("")));
        return out;
    }

    /**
     * The namespace options Podman gets: the session's network namespace, and nothing of the
     * client's. A client can ask only for private namespaces ({@link #nsOptions}), which are
     * the default anyway; passing its JSON on would let Go read names Burrow did not (Go
     * matches JSON names in any letter case).
     */
    static String nsOptionsJoining(java.nio.file.Path network) {
        tools.jackson.databind.node.ArrayNode out = Fields.JSON.createArrayNode();
        out.addObject().put("Name", "network").put("Host", false).put("Path", network.toString());
        return out.toString();
    }

    /** The build's arguments with the session's proxy variables (those RUN steps get without an ARG) unless set. */
    private static String withProxies(Target t, SessionBox box) throws Refusal {
        ObjectNode args = Fields.JSON.createObjectNode();
        buildArgs(t).forEach(args::put);
        box.proxyEnv().forEach((name, value) -> {
            if (name.matches("(?i)(https?|no)_proxy") && !args.has(name)) args.put(name, value);
        });
        return args.toString();
    }

    /**
     * Refuses namespace options that ask for a host namespace or a path, read as Go reads them:
     * field names in any letter case (two spellings of one refused), only Name, Host and Path.
     * Private namespaces pass (and are dropped: Burrow sends only its network entry).
     */
    private static void nsOptions(String raw) throws Refusal {
        if (raw.isEmpty() || raw.equals("null") || raw.equals("[]")) return;
        JsonNode list;
        try {
            list = Fields.JSON.readTree(raw);
        } catch (RuntimeException e) {
            throw Refusal.badRequest("nsoptions is not JSON");
        }
        if (!list.isArray()) throw Refusal.badRequest("nsoptions must be a list");
        for (JsonNode ns : list) {
            if (!ns.isObject()) throw Refusal.badRequest("nsoptions entries must be objects");
            Map<String, JsonNode> fields = new LinkedHashMap<>();
            for (var e : ns.properties()) {
                String key = e.getKey().toLowerCase(java.util.Locale.ROOT);
                if (!Set.of("name", "host", "path").contains(key)) throw Refusal.forbidden("namespace option " + e.getKey() + " is not allowed in a session's builds");
                if (fields.put(key, e.getValue()) != null) throw Refusal.badRequest("nsoptions names " + key + " twice");
            }
            JsonNode name = fields.get("name");
            JsonNode host = fields.get("host");
            JsonNode path = fields.get("path");
            if (name == null || !name.isString()) throw Refusal.badRequest("an nsoptions entry needs a Name");
            if (host != null && !host.isBoolean() || path != null && !path.isString()) throw Refusal.badRequest("nsoptions Host is true or false, Path a string");
            boolean asksHost = host != null && host.asBoolean(false);
            boolean asksPath = path != null && !path.asString("").isEmpty();
            if (!asksHost && !asksPath) continue;
            if (asksHost && !asksPath && name.asString("").equals("user")) continue;
            throw Refusal.forbidden("the host's " + name.asString("") + " namespace (or one by path) is not allowed in a session's builds");
        }
    }

    private static String labels(String raw, String session) throws Refusal {
        ObjectNode o = raw.isEmpty() ? Fields.JSON.createObjectNode() : Fields.object(raw.getBytes(java.nio.charset.StandardCharsets.UTF_8), "build labels");
        o.propertyNames().stream().filter(k -> k.toLowerCase(java.util.Locale.ROOT).startsWith("burrow.")).toList().forEach(o::remove);
        o.put(SessionBox.LABEL, session);
        return Fields.JSON.writeValueAsString(o);
    }
}
