package dev.burrow.siblings;

import dev.burrow.http.Refusal;

import java.io.IOException;
import tools.jackson.databind.JsonNode;

/**
 * Whose an object named in a request is, asked of Podman before the request passes: a
 * session reaches only what carries its label, and then by the exact id Podman gave
 * (a name could be taken over between the question and the request).
 */
final class Owner {
    private final PodmanApi api;
    private final String session;

    Owner(PodmanApi api, String session) {
        this.api = api;
        this.session = session;
    }

    /** The full id of this session's container {@code name}, else refused as absent. */
    String container(String name) throws IOException, Refusal {
        PodmanApi.Answer a = api.get(PodmanApi.PREFIX + "/containers/" + Target.encode(name) + "/json");
        if (a.ok()) {
            JsonNode c = a.json();
            if (mine(c.path("Config").path("Labels"))) return c.path("Id").asString();
        }
        throw Refusal.notFound("no such container in this session: " + name);
    }

    /** The id of an exec instance in one of this session's containers. */
    String exec(String id) throws IOException, Refusal {
        PodmanApi.Answer a = api.get(PodmanApi.PREFIX + "/exec/" + Target.encode(id) + "/json");
        if (a.ok()) {
            JsonNode e = a.json();
            String container = e.path("ContainerID").asString("");
            if (!container.isEmpty()) {
                container(container);
                String full = e.path("ID").asString("");
                return full.isEmpty() ? id : full;
            }
        }
        throw Refusal.notFound("no such exec session in this session: " + id);
    }

    /** The volume's name when it is this session's; refused when it exists and is another's; null when absent. */
    String volume(String name) throws IOException, Refusal {
        PodmanApi.Answer a = api.get(PodmanApi.PREFIX + "/volumes/" + Target.encode(name) + "/json");
        if (a.status() == 404) return null;
        if (a.ok() && mine(a.json().path("Labels"))) return a.json().path("Name").asString();
        throw Refusal.notFound("no such volume in this session: " + name);
    }

    /** The network's id when it is this session's, else refused as absent. */
    String network(String name) throws IOException, Refusal {
        PodmanApi.Answer a = api.get(PodmanApi.PREFIX + "/networks/" + Target.encode(name) + "/json");
        if (a.ok() && mine(a.json().path("labels"))) return a.json().path("name").asString();
        throw Refusal.notFound("no such network in this session: " + name);
    }

    enum ImageOwner { ABSENT, MINE, SHARED, OTHER_SESSION }

    /** Whose an image is: this session's (it built it), shared (pulled, or the user's), another session's, or none. */
    ImageOwner image(String name) throws IOException {
        PodmanApi.Answer a = api.get(PodmanApi.PREFIX + "/images/" + imagePath(name) + "/json");
        if (a.status() == 404) return ImageOwner.ABSENT;
        if (!a.ok()) throw new IOException("Podman could not inspect image " + name + ": HTTP " + a.status());
        JsonNode labels = a.json().path("Labels");
        if (!labels.isObject()) labels = a.json().path("Config").path("Labels");
        String owner = labels.path(SessionBox.LABEL).asString("");
        if (owner.isEmpty()) return ImageOwner.SHARED;
        return owner.equals(session) ? ImageOwner.MINE : ImageOwner.OTHER_SESSION;
    }

    /** An image name in a path: its slashes stay (Podman routes names with them). */
    static String imagePath(String name) {
        StringBuilder sb = new StringBuilder();
        for (String part : name.split("/", -1)) {
            if (!sb.isEmpty()) sb.append('/');
            sb.append(Target.encode(part));
        }
        return sb.toString();
    }

    boolean mine(JsonNode labels) {
        return labels.isObject() && session.equals(labels.path(SessionBox.LABEL).asString(""));
    }

    String session() {
        return session;
    }
}
