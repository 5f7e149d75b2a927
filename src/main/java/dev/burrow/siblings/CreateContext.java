package dev.burrow.siblings;

import dev.burrow.http.Refusal;

import java.io.IOException;

/**
 * What checking a container create needs beside its body: the session, the session's running
 * container (whose network siblings share) and Podman, to look up and make volumes.
 */
record CreateContext(SessionBox box, String sessionContainer, Owner owner, PodmanApi api, Images images) {
    static final String SHARED_NETWORK = "a session's containers share the session's network (reach each other on localhost)";
    /**
     * Every sibling runs in the session's user namespace, as its agent does: root there is the
     * agent's sudo root, without NET_ADMIN. Podman's own user namespace would not do, whatever
     * the sibling's network: the session container's user namespace belongs to root of Podman's,
     * and a namespace's owner has every capability in it. A root sibling in the session's network
     * flushed the full policy's guard with nft; one with a network of its own took the
     * session's namespaces from the agent over a unix socket, entered them and did the same.
     */
    static final String SHARED_USERNS = "a session's containers run in the session's user namespace (root there is the agent's sudo root);"
            + " --userns is not allowed in a session";
    static final String NO_PORTS = "publishing ports (-p) is not available in a session: " + SHARED_NETWORK;
    static final String NO_NETWORKS = "joining networks (--network NAME) is not available in a session: " + SHARED_NETWORK;

    /** The host path for a bind source named as the session sees it. */
    String bindSource(String source) throws Refusal {
        return BindSources.hostPath(box, source).toString();
    }

    /** A named volume for a sibling: this session's, or made now with its label; never another's. */
    String volume(String name) throws Refusal, IOException {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) throw Refusal.badRequest("not a volume name: " + name);
        SiblingGate.notBurrows(name, "volume");
        String mine = owner.volume(name);
        if (mine != null) return mine;
        byte[] body = Fields.JSON.writeValueAsBytes(Fields.JSON.createObjectNode().put("Name", name)
                .set("Labels", Fields.JSON.createObjectNode().put(SessionBox.LABEL, box.sessionId())));
        PodmanApi.Answer a = api.send("POST", PodmanApi.PREFIX + "/volumes/create", body);
        if (!a.ok()) throw new Refusal(a.status(), "could not make volume " + name + ": " + new String(a.body(), java.nio.charset.StandardCharsets.UTF_8).strip());
        return name;
    }

    /** Refuses an image another session built: the session runs its own and shared ones only. */
    /** The host's name for a container's image: the session's own of that name, else the name; refused when another session's. */
    String image(String name) throws Refusal, IOException {
        Images.plainImage(name);
        if (name.isEmpty()) return name;
        String resolved = images.resolve(name);
        if (images.names().isForeign(resolved) || owner.image(resolved) == Owner.ImageOwner.OTHER_SESSION) {
            throw Refusal.notFound("no such image in this session: " + name);
        }
        return resolved;
    }

    /** The image's own working dir (its WORKDIR), or "/". */
    String imageWorkdir(String image) throws IOException {
        if (image.isEmpty()) return "/";
        PodmanApi.Answer a = api.get(PodmanApi.PREFIX + "/images/" + Owner.imagePath(image) + "/json");
        String dir = a.ok() ? a.json().path("Config").path("WorkingDir").asString("") : "";
        return dir.isEmpty() ? "/" : dir;
    }

    /**
     * Whether {@code workdir} lies on one of {@code destinations} (the container's mounts):
     * Podman then leaves it to the runtime, inside the container. Anywhere else Podman looks
     * the dir up on the host, through links the image may hold (and makes it there, when asked).
     */
    static boolean onMount(String workdir, java.util.List<String> destinations) {
        for (String d : destinations) {
            String dest = d.endsWith("/") && d.length() > 1 ? d.substring(0, d.length() - 1) : d;
            if (workdir.equals(dest) || workdir.startsWith(dest + "/")) return true;
        }
        return false;
    }

    /** A timezone that names a zone (or local), not a path. */
    static void timezone(String tz) throws Refusal {
        if (!tz.isEmpty() && !tz.equals("local") && !tz.matches("[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*")) {
            throw Refusal.forbidden("timezone " + tz + " is not a zone name");
        }
    }

    void device(String path) throws Refusal {
        if (!box.devices().contains(path)) {
            throw Refusal.forbidden("device " + path + " is not allowed in a session" + (box.devices().isEmpty() ? "" : "; the session's own are " + box.devices()));
        }
    }
}
