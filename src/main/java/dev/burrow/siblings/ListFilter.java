package dev.burrow.siblings;

import java.io.IOException;
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
