package dev.burrow.siblings;

import dev.burrow.http.RequestHead;
import dev.burrow.http.Body;
import dev.burrow.http.Refusal;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.node.ObjectNode;

/**
 * The rules of a session's Podman socket, for Podman's own API and Docker's: what is not
 * named here is refused. Every object a request names is checked against the session
 * ({@link Owner}) and then named upstream by its exact id; bodies that say what a container
 * or volume may reach are checked field by field ({@link LibpodCreate}, {@link DockerCreate}).
 */
final class SiblingGate {
    private static final int MAX_JSON = 1024 * 1024;
    private static final Set<String> CONTAINER_ACTIONS = Set.of("GET json", "GET exists", "POST start", "POST stop", "POST kill", "POST wait",
            "POST attach", "GET logs", "GET top", "GET stats", "GET archive", "HEAD archive", "PUT archive", "POST resize", "POST exec",
            "POST restart", "POST pause", "POST unpause", "POST init", "GET changes", "GET healthcheck", "POST shouldrestart");
    private static final Set<String> EXEC_KEYS = Set.of("AttachStdin", "AttachStdout", "AttachStderr", "DetachKeys", "Tty", "Env", "Cmd",
            "Privileged", "User", "WorkingDir", "Detach", "ConsoleSize");

    private final SessionBox box;
    private final PodmanApi api;
    private final Owner owner;
    private final Images images;

    /** The builds the session may run at once; shared by all its requests. */
    private final java.util.concurrent.Semaphore builds;

    SiblingGate(SessionBox box, PodmanApi api, java.util.concurrent.Semaphore builds) {
        this.builds = java.util.Objects.requireNonNull(builds);
        this.box = box;
        this.api = api;
        this.owner = new Owner(api, box.sessionId());
        this.images = new Images(box, owner, new ImageTriggers(api));
    }

    /** Decides on one request; reads its body when the decision depends on it. */
    Decision decide(RequestHead head, Target t, InputStream body) throws Refusal, IOException {
        // Podman parses form bodies into the values it reads (a body's repo= beats the query's,
        // which Burrow checked); its API takes JSON and tar bodies only.
        String type = head.header("Content-Type");
        if (type != null) {
            String media = type.split(";", 2)[0].strip().toLowerCase(java.util.Locale.ROOT);
            if (media.equals("application/x-www-form-urlencoded") || media.startsWith("multipart/")) {
                throw Refusal.badRequest("form bodies (" + media + ") are not accepted through a session's Podman socket");
            }
        }
        List<String> s = t.segments();
        String m = head.method();
        if (s.isEmpty()) throw refused(head, t);
        return switch (s.getFirst()) {
            case "_ping" -> s.size() == 1 && (m.equals("GET") || m.equals("HEAD")) ? same(t) : refusedD(head, t);
            case "version", "info" -> s.size() == 1 && m.equals("GET") ? same(t) : refusedD(head, t);
            case "containers" -> containers(head, t, s, body);
            case "exec" -> exec(head, t, s);
            case "images" -> images(head, t, s);
            case "build" -> s.size() == 1 && m.equals("POST") ? build(head, t, body) : refusedD(head, t);
            case "events" -> s.size() == 1 && m.equals("GET") ? events(t) : refusedD(head, t);
            case "volumes" -> volumes(head, t, s, body);
            case "networks" -> networks(head, t, s, body);
            default -> refusedD(head, t);
        };
    }

    /**
     * A build: its query checked, then its context taken apart and written again
     * ({@link BuildContext}) and its Containerfiles read ({@link Containerfiles}) before Podman gets it.
     */
    private Decision build(RequestHead head, Target t, InputStream body) throws Refusal, IOException {
        Map<String, List<String>> query;
        try {
            query = BuildQuery.check(t, box, images);
        } catch (Refusal r) {
            // Read the upload to its end first, so that the client, still sending, gets the refusal and not a broken pipe.
            Body.copy(head, body, java.io.OutputStream.nullOutputStream());
            throw r;
        }
        List<String> names = new java.util.ArrayList<>();
        for (String f : BuildQuery.dockerfiles(t)) names.add(BuildContext.normalize(f));
        List<String> wanted = names.isEmpty() ? List.of("Containerfile", "Dockerfile") : names;
        // Each build holds its upload and its rewritten context on the host's disk until it ends: two at a time per session.
        if (!builds.tryAcquire()) {
            Body.copy(head, body, java.io.OutputStream.nullOutputStream());
            throw new Refusal(429, "a session runs two builds at once at most; wait for one to end");
        }
        BuildContext context;
        try {
            context = BuildContext.rewrite(head, body, wanted);
        } catch (Body.BodyTooLarge e) {
            builds.release();
            throw new Refusal(413, "a build context over 2 GiB (uncompressed) is not accepted through a session's Podman socket");
        } catch (IOException | Refusal | RuntimeException e) {
            builds.release();
            throw e;
        }
        context.whenClosed(builds::release);
        try {
            Map<String, String> buildArgs = BuildQuery.buildArgs(t);
            boolean any = false;
            for (String name : wanted) {
                String text = context.text(name);
                if (text == null) {
                    if (!names.isEmpty()) throw Refusal.forbidden("the Containerfile " + name + " is not in the uploaded build context");
                    continue;
                }
                any = true;
                Containerfiles.check(text, box, images, buildArgs);
            }
            if (!any) throw Refusal.forbidden("the build context has no Containerfile or Dockerfile");
            // The Containerfile Podman takes (the one named, else Containerfile, else Dockerfile), with the session's own
            // images by their host names: a copy of Burrow's writing beside it in the context, built in its place.
            String built = wanted.stream().filter(n -> context.text(n) != null).findFirst().orElseThrow();
            String own = Containerfiles.ownImages(context.text(built), images);
            if (own != null) {
                Containerfiles.check(own, box, images, buildArgs);
                query = new java.util.LinkedHashMap<>(query);
                query.put("dockerfile", List.of(context.add(own)));
            }
            return new Decision.Forward(t.upstream(query), null, false, context);
        } catch (Refusal | IOException | RuntimeException e) {
            context.close();
            throw e;
        }
    }

    /** The session's own containers' events only: Burrow's filter replaces the client's. */
    private Decision events(Target t) {
        Map<String, List<String>> q = t.with(t.query(), "filters", List.of(Fields.JSON.writeValueAsString(Fields.JSON.createObjectNode()
                .set("label", Fields.JSON.createArrayNode().add(SessionBox.LABEL + "=" + box.sessionId())))));
        return new Decision.Forward(t.upstream(q), null, false);
    }

    /** Names that start like Burrow's own (its containers, cache volumes) are not the session's to take. */
    static void notBurrows(String name, String what) throws Refusal {
        if (name.toLowerCase(java.util.Locale.ROOT).startsWith("burrow")) {
            throw Refusal.forbidden(what + " names starting with burrow are Burrow's own; choose another (" + name + ")");
        }
    }

    private Decision containers(RequestHead head, Target t, List<String> s, InputStream body) throws Refusal, IOException {
        String m = head.method();
        if (s.size() == 2 && s.get(1).equals("create") && m.equals("POST")) {
            for (String k : t.query().keySet()) {
                if (!Set.of("name", "platform").contains(k.toLowerCase(java.util.Locale.ROOT))) throw Refusal.forbidden("create option " + k + " is not allowed through a session's Podman socket");
            }
            notBurrows(t.param("name"), "container");
            String cid = box.sessionContainer().get().orElseThrow(() -> new Refusal(409, "the session's container is not running"));
            CreateContext ctx = new CreateContext(box, cid, owner, api, images);
            byte[] json = readJson(head, body);
            byte[] checked = t.libpod() ? LibpodCreate.check(json, ctx) : DockerCreate.check(json, ctx);
            return new Decision.Forward(t.upstream(t.query()), checked, false);
        }
        if (s.size() == 2 && s.get(1).equals("json") && m.equals("GET")) {
            return ListFilter.fetch(api, t.upstream(t.query()), ListFilter.Kind.CONTAINERS, box.sessionId());
        }
        if (s.size() == 2 && s.get(1).equals("stats") && m.equals("GET") && t.libpod()) {
            List<String> named = t.params("containers");
            if (named.isEmpty()) throw Refusal.forbidden("name the containers to show stats of");
            List<String> ids = new java.util.ArrayList<>();
            for (String n : named) ids.add(owner.container(n));
            Map<String, List<String>> q = t.with(t.query(), "containers", ids);
            return new Decision.Forward(t.upstream(q), null, false);
        }
        if (s.size() < 2 || s.size() > 3 || Set.of("create", "json", "stats", "prune").contains(s.get(1))) throw refused(head, t);
        if (s.size() == 2 ? !m.equals("DELETE") : !CONTAINER_ACTIONS.contains(m + " " + s.get(2))) throw refused(head, t);
        String id = owner.container(s.get(1));
        if (s.size() == 2) {
            if (truthy(t.param("depend"))) throw Refusal.forbidden("removing dependent containers (--depend) is not allowed in a session");
            return new Decision.Forward(t.upstream(List.of("containers", id), t.query()), null, false);
        }
        String action = s.get(2);
        byte[] replaced = action.equals("exec") ? execCreate(readJson(head, body)) : null;
        return new Decision.Forward(t.upstream(List.of("containers", id, action), t.query()), replaced, action.equals("attach"));
    }

    private byte[] execCreate(byte[] json) throws Refusal {
        ObjectNode o = Fields.object(json, "the exec body");
        Fields.onlyKnown(o, EXEC_KEYS, "exec option");
        Fields.explicitEnv(o, "Env");
        if (!Fields.empty(o.get("Privileged"))) throw Refusal.forbidden("privileged exec is not allowed in a session (--privileged)");
        return Fields.JSON.writeValueAsBytes(o);
    }

    private Decision exec(RequestHead head, Target t, List<String> s) throws Refusal, IOException {
        if (s.size() != 3) throw refused(head, t);
        String action = head.method() + " " + s.get(2);
        if (!Set.of("POST start", "POST resize", "GET json").contains(action)) throw refused(head, t);
        String id = owner.exec(s.get(1));
        return new Decision.Forward(t.upstream(List.of("exec", id, s.get(2)), t.query()), null, s.get(2).equals("start"));
    }

    private Decision images(RequestHead head, Target t, List<String> s) throws Refusal, IOException {
        String m = head.method();
        if (s.size() == 2 && s.get(1).equals("json") && m.equals("GET")) {
            return ListFilter.images(api, t.upstream(t.query()), box.sessionId(), images.names());
        }
        if (s.size() == 2 && s.get(1).equals("pull") && m.equals("POST") && t.libpod()) {
            onlyParams(t, Set.of("reference", "policy", "quiet", "alltags", "arch", "os", "variant", "tlsVerify", "username", "password", "authfile",
                    "retry", "retryDelay"), "pull");
            if (!t.param("authfile").isEmpty()) throw Refusal.forbidden("an auth file on the host is not allowed in a session's pulls");
            // No policy is Podman's "always": a fetch.
            String policy = t.param("policy").isEmpty() ? "always" : t.param("policy");
            String own = images.resolve(t.param("reference"));
            // An image of the session's own, asked for as podman run asks before a run: it is here, under its own name.
            if (Set.of("missing", "never").contains(policy) && images.names().isOwn(own)) {
                return new Decision.Forward(t.upstream(t.with(t.query(), "reference", List.of(own))), null, false);
            }
            if (!images.pullable(t.param("reference"), policy)) return same(t);
            // A fetch of a short name goes on as the docker.io name Burrow checked: Podman would resolve it through the host's
            // aliases. (An image that is here is found by its short name, as Burrow found it: that goes on as it is.)
            return new Decision.Forward(t.upstream(t.with(t.query(), "reference", List.of(Images.qualified(t.param("reference"))))), null, false);
        }
        if (s.size() == 2 && s.get(1).equals("create") && m.equals("POST") && !t.libpod()) {
            onlyParams(t, Set.of("fromImage", "tag", "platform"), "pull");
            String ref = t.param("fromImage") + (t.param("tag").isEmpty() ? "" : (t.param("tag").startsWith("sha256:") ? "@" : ":") + t.param("tag"));
            images.pullable(ref, "always");
            return new Decision.Forward(t.upstream(t.with(t.query(), "fromImage", List.of(Images.qualified(t.param("fromImage"))))), null, false);
        }
        if (s.size() == 2 && s.get(1).equals("remove") && m.equals("DELETE") && t.libpod()) {
            if (truthy(t.param("all")) || truthy(t.param("force"))) throw Refusal.forbidden("removing all images or by force is not allowed in a session");
            // With no names Podman removes every image nothing uses.
            if (t.params("images").isEmpty()) throw Refusal.badRequest("name the images to remove");
            List<String> resolved = new java.util.ArrayList<>();
            for (String name : t.params("images")) {
                String r = images.resolve(name);
                images.removable(r);
                resolved.add(r);
            }
            return new Decision.Forward(t.upstream(t.with(t.query(), "images", resolved)), null, false);
        }
        if (s.size() < 2 || Set.of("json", "pull", "create", "remove", "prune", "load", "import", "search", "export").contains(s.get(1)) && s.size() == 2) {
            throw refused(head, t);
        }
        if (m.equals("DELETE")) {
            String name = images.resolve(String.join("/", s.subList(1, s.size())));
            if (truthy(t.param("force"))) throw Refusal.forbidden("removing images by force is not allowed in a session");
            images.removable(name);
            return new Decision.Forward(t.upstream(imageSegments(name, null), t.query()), null, false);
        }
        String action = s.getLast();
        String asked = String.join("/", s.subList(1, s.size() - 1));
        if (asked.isEmpty()) throw refused(head, t);
        String name = images.resolve(asked);
        switch (m + " " + action) {
            case "GET json" -> {
                images.readable(name);
                return ListFilter.inspectImage(api, t.upstream(imageSegments(name, action), t.query()), images.names());
            }
            case "GET exists", "GET history" -> images.readable(name);
            case "POST tag" -> {
                images.readable(name);
                String tag = t.param("tag");
                // The new name is kept in the session's own name space: never one the user's tools resolve.
                String own = images.ownName(t.param("repo") + (tag.isEmpty() ? ":latest" : ":" + tag));
                int colon = own.lastIndexOf(':');
                Map<String, List<String>> q = t.with(t.with(t.query(), "repo", List.of(own.substring(0, colon))), "tag", List.of(own.substring(colon + 1)));
                return new Decision.Forward(t.upstream(imageSegments(name, action), q), null, false);
            }
            default -> throw refused(head, t);
        }
        return new Decision.Forward(t.upstream(imageSegments(name, action), t.query()), null, false);
    }

    /** The path of an image (its name's slashes kept: Podman routes names with them), then the action if any. */
    private static List<String> imageSegments(String name, String action) {
        List<String> out = new java.util.ArrayList<>(List.of("images"));
        out.addAll(List.of(name.split("/", -1)));
        if (action != null) out.add(action);
        return out;
    }

    private Decision volumes(RequestHead head, Target t, List<String> s, InputStream body) throws Refusal, IOException {
        String m = head.method();
        if (s.size() == 2 && s.get(1).equals("create") && m.equals("POST")) {
            ObjectNode o = Fields.object(readJson(head, body), "the volume create body");
            Fields.onlyKnown(o, Set.of("Name", "Driver", "Label", "Labels", "IgnoreIfExists"), "volume option");
            Fields.oneOf(o, "Driver", Set.of("", "local"), "volume driver");
            notBurrows(Fields.text(o, "Name"), "volume");
            o.remove("Label");
            Fields.label(o, "Labels", box.sessionId());
            return new Decision.Forward(t.upstream(t.query()), Fields.JSON.writeValueAsBytes(o), false);
        }
        if ((s.size() == 2 && s.get(1).equals("json") && t.libpod() || s.size() == 1 && !t.libpod()) && m.equals("GET")) {
            return ListFilter.fetch(api, t.upstream(t.query()), ListFilter.Kind.VOLUMES, box.sessionId());
        }
        if (s.size() < 2 || s.size() > 3 || Set.of("create", "json", "prune").contains(s.get(1))) throw refused(head, t);
        String action = s.size() == 2 ? m : m + " " + s.get(2);
        if (!Set.of("DELETE", "GET", "GET json", "GET exists").contains(action) || action.equals("GET") && t.libpod()) throw refused(head, t);
        String name = owner.volume(s.get(1));
        if (name == null) throw Refusal.notFound("no such volume in this session: " + s.get(1));
        return new Decision.Forward(t.upstream(s.size() == 3 ? List.of("volumes", name, s.get(2)) : List.of("volumes", name), t.query()), null, false);
    }

    private Decision networks(RequestHead head, Target t, List<String> s, InputStream body) throws Refusal, IOException {
        String m = head.method();
        if (s.size() == 2 && s.get(1).equals("create") && m.equals("POST")) {
            ObjectNode o = Fields.object(readJson(head, body), "the network create body");
            Set<String> known = t.libpod() ? Set.of("name", "id", "created", "driver", "labels", "internal", "dns_enabled", "ipv6_enabled")
                    : Set.of("Name", "CheckDuplicate", "Driver", "Internal", "Attachable", "EnableIPv6", "Labels");
            Fields.onlyKnown(o, known, "network option");
            Fields.oneOf(o, t.libpod() ? "driver" : "Driver", Set.of("", "bridge"), "network driver");
            notBurrows(Fields.text(o, t.libpod() ? "name" : "Name"), "network");
            Fields.label(o, t.libpod() ? "labels" : "Labels", box.sessionId());
            return new Decision.Forward(t.upstream(t.query()), Fields.JSON.writeValueAsBytes(o), false);
        }
        if ((s.size() == 2 && s.get(1).equals("json") && t.libpod() || s.size() == 1 && !t.libpod()) && m.equals("GET")) {
            return ListFilter.fetch(api, t.upstream(t.query()), ListFilter.Kind.NETWORKS, box.sessionId());
        }
        if (s.size() < 2 || s.size() > 3 || Set.of("create", "json", "prune").contains(s.get(1))) throw refused(head, t);
        String action = s.size() == 2 ? m : m + " " + s.get(2);
        if (!Set.of("DELETE", "GET", "GET json", "GET exists").contains(action) || action.equals("GET") && t.libpod()) throw refused(head, t);
        String name = owner.network(s.get(1));
        return new Decision.Forward(t.upstream(s.size() == 3 ? List.of("networks", name, s.get(2)) : List.of("networks", name), t.query()), null, false);
    }

    private static byte[] readJson(RequestHead head, InputStream body) throws Refusal, IOException {
        try {
            return Body.readAll(head, body, MAX_JSON);
        } catch (Body.BodyTooLarge e) {
            throw new Refusal(413, "the request body is over 1 MiB");
        }
    }

    private static void onlyParams(Target t, Set<String> allowed, String what) throws Refusal {
        Set<String> lower = new java.util.HashSet<>();
        for (String a : allowed) lower.add(a.toLowerCase(java.util.Locale.ROOT));
        for (var e : t.query().entrySet()) {
            if (!lower.contains(e.getKey().toLowerCase(java.util.Locale.ROOT)) && e.getValue().stream().anyMatch(v -> !v.isEmpty())) {
                throw Refusal.forbidden(what + " option " + e.getKey() + " is not allowed through a session's Podman socket");
            }
        }
    }

    /** Whether Podman could read {@code v} as true: anything but a plain false (Go's ParseBool takes t, T, TRUE; gorilla/schema also "on"). */
    private static boolean truthy(String v) {
        return !java.util.Set.of("", "0", "f", "F", "false", "FALSE", "False", "off").contains(v);
    }

    private static Decision same(Target t) {
        return new Decision.Forward(t.upstream(t.query()), null, false);
    }

    private static Refusal refused(RequestHead head, Target t) {
        return Refusal.forbidden(head.method() + " " + (t.libpod() ? "/libpod" : "") + t.path() + " is not available through a session's Podman socket");
    }

    private static Decision refusedD(RequestHead head, Target t) throws Refusal {
        throw refused(head, t);
    }
}
