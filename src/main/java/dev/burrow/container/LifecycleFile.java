package dev.burrow.container;

import dev.burrow.environment.Environment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The run dir's lifecycle.json, which runner/burrow-setup reads: the environment's lifecycle
 * commands, and whether this container runs the ones that set it up once (not when it starts
 * from the environment's set-up image). Burrow writes it before the container starts; what
 * the container does with it is its own (it runs there, as the agent's user, with no secrets).
 *
 * <pre>{"once": true, "steps": [{"stage": "onCreateCommand", "name": "", "shell": "make"},
 *                               {"stage": "postStartCommand", "name": "db", "argv": ["pg_ctl", "start"]}]}</pre>
 */
public final class LifecycleFile {
    public static final String NAME = "lifecycle.json";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private LifecycleFile() {
    }

    static String json(List<Environment.Step> steps, boolean once) {
        ObjectNode root = JSON.createObjectNode().put("once", once);
        root.set("steps", array(steps));
        return JSON.writeValueAsString(root);
    }

    private static ArrayNode array(List<Environment.Step> steps) {
        ArrayNode out = JSON.createArrayNode();
        for (Environment.Step s : steps) {
            ObjectNode n = out.addObject().put("stage", s.stage()).put("name", s.name());
            if (s.shell() != null) n.put("shell", s.shell());
            else s.argv().forEach(n.putArray("argv")::add);
        }
        return out;
    }

    /** The steps alone, as Burrow keeps them in its own files. */
    public static String stepsJson(List<Environment.Step> steps) {
        return JSON.writeValueAsString(array(steps));
    }

    public static List<Environment.Step> steps(String json) {
        List<Environment.Step> out = new java.util.ArrayList<>();
        for (var n : JSON.readTree(json)) {
            List<String> argv = null;
            if (n.has("argv")) {
                argv = new java.util.ArrayList<>();
                for (var a : n.get("argv")) argv.add(a.asText());
            }
            out.add(new Environment.Step(n.path("stage").asText(), n.path("name").asText(), n.hasNonNull("shell") ? n.get("shell").asText() : null, argv));
        }
        return out;
    }

    /** Writes it into the run dir anew (whatever the last container left at the name goes); none for no steps. */
    public static void write(Path runDir, List<Environment.Step> steps, boolean once) throws IOException {
        Path f = runDir.resolve(NAME);
        Files.deleteIfExists(f);
        if (steps.isEmpty() && once) return;
        if (!HostileFiles.createNew(f, json(steps, once))) throw new IOException("the run dir's " + NAME + " is taken");
    }
}
