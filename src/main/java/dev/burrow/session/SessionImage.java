package dev.burrow.session;

import dev.burrow.environment.AgentUser;
import dev.burrow.environment.Environment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a session's containers run: Burrow's runner image, or its environment's image with the
 * runner image mounted read-only for Burrow's tools, the agent's user and the environment's
 * variables. Kept in the session's dir (Burrow's own; the container mounts only dirs below it),
 * so a resumed session runs what it started with.
 *
 * @param image  the image's full id
 * @param runner the runner image's full id to mount at /opt/burrow-runner, or null (the runner image itself)
 * @param env    the environment's variables (containerEnv, then remoteEnv)
 * @param setup  the key of its setup ({@link dev.burrow.environment.SetupSnapshots}), or null for none to keep
 * @param steps  its lifecycle commands
 * @param run    its container's own options, workspace folder and forwarded ports
 */
record SessionImage(String image, String runner, AgentUser user, Map<String, String> env, String name, String setup,
                    java.util.List<dev.burrow.environment.Environment.Step> steps, Environment.RunSettings run) {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final String FILE = "environment.json";

    SessionImage {
        Objects.requireNonNull(image);
        Objects.requireNonNull(user);
        env = Map.copyOf(env);
        steps = java.util.List.copyOf(steps);
        run = run == null ? Environment.RunSettings.NONE : run;
        if (setup != null && !setup.matches("[0-9a-f]{64}")) throw new IllegalArgumentException("not a setup key: " + setup);
    }

    /** The same, running {@code other} (its set-up image). */
    SessionImage running(String other) {
        return new SessionImage(other, runner, user, env, name, setup, steps, run);
    }

    static SessionImage runner(String image) {
        return new SessionImage(image, null, AgentUser.RUNNER, Map.of(), "burrow", null, java.util.List.of(), Environment.RunSettings.NONE);
    }

    boolean own() {
        return runner != null;
    }

    void save(Path sessionDir) {
        ObjectNode n = JSON.createObjectNode().put("image", image).put("runner", runner).put("user", user.label()).put("name", name);
        ObjectNode e = n.putObject("env");
        env.forEach(e::put);
        if (setup != null) n.put("setup", setup);
        n.put("steps", dev.burrow.container.LifecycleFile.stepsJson(steps));
        n.set("run", runJson(run));
        try {
            Path tmp = sessionDir.resolve(FILE + ".tmp");
            Files.deleteIfExists(tmp);
            Files.writeString(tmp, JSON.writeValueAsString(n));
            Files.move(tmp, sessionDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** The session's environment image, or empty for Burrow's runner image. */
    static Optional<SessionImage> load(Path sessionDir) {
        Path f = sessionDir.resolve(FILE);
        if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
        try {
            JsonNode n = JSON.readTree(Files.readString(f));
            Map<String, String> env = new LinkedHashMap<>();
            n.path("env").properties().forEach(p -> env.put(p.getKey(), p.getValue().asText()));
            return Optional.of(new SessionImage(n.path("image").asText(), n.path("runner").asText(), AgentUser.fromLabel(n.path("user").asText()), env,
                    n.path("name").asText(), n.hasNonNull("setup") ? n.get("setup").asText() : null,
                    dev.burrow.container.LifecycleFile.steps(n.path("steps").asText("[]")), run(n.path("run"))));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** The run settings are records of values, each checked again by its constructor as it is read back. */
    private static JsonNode runJson(Environment.RunSettings r) {
        return JSON.valueToTree(r);
    }

    private static Environment.RunSettings run(JsonNode n) {
        if (n.isMissingNode() || n.isNull()) return Environment.RunSettings.NONE;
        return JSON.treeToValue(n, Environment.RunSettings.class);
    }
}
