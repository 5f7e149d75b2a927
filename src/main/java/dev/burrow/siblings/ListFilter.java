package dev.burrow.siblings;

import java.io.IOException;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Lists as a session sees them: its own containers, volumes and networks; images except
 * other sessions' builds. Burrow asks Podman and keeps what passes, whatever filters the
 * client sent (they narrow further, never wider).
 */
final class ListFilter {
    enum Kind { CONTAINERS, VOLUMES, NETWORKS, IMAGES }

    private ListFilter() {
    }

    static Decision.Answer fetch(PodmanApi api, String target, Kind kind, String session) throws IOException {
        PodmanApi.Answer a = api.get(target);
        if (!a.ok()) return new Decision.Answer(a.status(), a.body());
        JsonNode all = a.json();
        JsonNode kept;
        if (all instanceof ArrayNode arr) {
            kept = keep(arr, kind, session);
        } else if (all instanceof ObjectNode o && o.get("Volumes") instanceof ArrayNode vols) {
            o.set("Volumes", keep(vols, kind, session));
            kept = o;
        } else {
            throw new IOException("Podman's list was neither a list nor Docker's volume list");
        }
        return new Decision.Answer(200, Fields.JSON.writeValueAsBytes(kept));
    }

    /** The session's list of images: its own and the shared, each named as the session sees it ({@link ImageNames#shown}). */
    static Decision.Answer images(PodmanApi api, String target, String session, ImageNames names) throws IOException {
        Decision.Answer listed = fetch(api, target, Kind.IMAGES, session);
        if (listed.status() != 200) return listed;
        JsonNode all = Fields.JSON.readTree(listed.json());
        for (JsonNode item : all) shown(item, names);
        return new Decision.Answer(200, Fields.JSON.writeValueAsBytes(all));
    }

    /** An image's inspection, its names as the session sees them. */
    static Decision.Answer inspectImage(PodmanApi api, String target, ImageNames names) throws IOException {
        PodmanApi.Answer a = api.get(target);
        if (!a.ok()) return new Decision.Answer(a.status(), a.body());
        JsonNode image = a.json();
        shown(image, names);
        return new Decision.Answer(200, Fields.JSON.writeValueAsBytes(image));
    }

    /** Rewrites an image's name lists: the session's own names as it gave them, other sessions' left out. */
    private static void shown(JsonNode image, ImageNames names) {
        if (!(image instanceof ObjectNode o)) return;
        for (String field : List.of("RepoTags", "Names", "NamesHistory", "RepoDigests", "Digests")) {
            if (!(o.get(field) instanceof ArrayNode list)) continue;
            ArrayNode out = Fields.JSON.createArrayNode();
            for (JsonNode n : list) {
                String name = n.isString() ? names.shown(n.asString()) : null;
                if (name != null) out.add(name);
            }
            o.set(field, out);
        }
    }

    private static ArrayNode keep(ArrayNode arr, Kind kind, String session) {
        ArrayNode out = Fields.JSON.createArrayNode();
        for (JsonNode item : arr) {
            JsonNode labels = item.has("Labels") ? item.get("Labels") : item.path("labels");
            String owner = labels.isObject() ? labels.path(SessionBox.LABEL).asString("") : "";
            boolean visible = kind == Kind.IMAGES ? owner.isEmpty() || owner.equals(session) : owner.equals(session);
            if (visible) out.add(item);
        }
        return out;
    }
}
