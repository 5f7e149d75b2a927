package dev.burrow.environment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * devcontainer.json as the spec writes it (JSON with comments and trailing commas), read into
 * an {@link Environment}. Paths are taken relative to the file's folder and must stay in the
 * repository. What Burrow does not do is named, field by field, never dropped in silence.
 */
final class DevcontainerJson {
    private static final JsonMapper JSONC = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS, JsonReadFeature.ALLOW_TRAILING_COMMA)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final Set<String> SUPPORTED = Set.of("name", "image", "build", "containerEnv", "remoteEnv", "containerUser", "remoteUser",
            "hostRequirements", "$schema", "onCreateCommand", "updateContentCommand", "postCreateCommand", "postStartCommand", "customizations", "features",
            "mounts", "runArgs", "workspaceFolder", "forwardPorts", "portsAttributes");
    /** Fields that change nothing in a session (editor settings and the like): not worth a line. */
    private static final Set<String> IGNORED = Set.of("extensions", "settings", "shutdownAction", "overrideCommand",
            "userEnvProbe", "updateRemoteUserUID", "waitFor");
    private static final Set<String> BUILD = Set.of("dockerfile", "context", "args", "target");

    private DevcontainerJson() {
    }

    /** {@code path}: the file's repository path; {@code name}: the environment's name. */
    static Environment parse(String name, String path, byte[] bytes) {
        JsonNode root;
        try {
            root = JSONC.readTree(bytes);
        } catch (JacksonException e) {
            throw new EnvironmentException(path + " is not valid JSON with comments: " + e.getOriginalMessage() + "; fix it or remove it");
        }
        if (root == null || !root.isObject()) throw new EnvironmentException(path + " must hold one JSON object");
        List<String> unsupported = new ArrayList<>();
        for (String field : root.propertyNames()) {
            if (field.equals("initializeCommand")) {
                unsupported.add("initializeCommand: it would run on your machine, which Burrow never lets a repository do; not run");
            } else if (!SUPPORTED.contains(field) && !IGNORED.contains(field)) {
                unsupported.add(field + ": not supported by Burrow yet; ignored");
            }
        }
        RunArgs.Parsed run = RunArgs.parse(root, path);
        unsupported.addAll(run.lines());
        String dir = path.contains("/") ? path.substring(0, path.lastIndexOf('/')) : "";
        String image = text(root, "image", path);
        Environment.Build build = null;
        JsonNode b = root.get("build");
        if (b != null && !b.isNull()) {
            if (!b.isObject()) throw new EnvironmentException(path + ": build must be an object");
            for (String field : b.propertyNames()) {
                if (!BUILD.contains(field)) unsupported.add("build." + field + ": not supported by Burrow yet; ignored");
            }
            String dockerfile = text(b, "dockerfile", path);
            if (dockerfile == null) throw new EnvironmentException(path + ": build needs a dockerfile (the Containerfile's path, relative to it)");
            String context = text(b, "context", path);
            build = new Environment.Build(RepoPaths.join(dir, dockerfile, path), RepoPaths.join(dir, context == null ? "." : context, path),
                    strings(b, "args", path), text(b, "target", path));
        }
        if (image != null && build != null) throw new EnvironmentException(path + " has both image and build; keep one");
        if (image == null && build == null) {
            if (root.has("dockerComposeFile")) throw new EnvironmentException(path + ": Docker Compose environments are not supported by Burrow; use image or build");
            throw new EnvironmentException(path + " names no image and no build; add one of them");
        }
        if (image != null && (image.isBlank() || image.chars().anyMatch(c -> c <= ' '))) throw new EnvironmentException(path + ": image is not an image name");
        String user = text(root, "remoteUser", path);
        if (user == null) user = text(root, "containerUser", path);
        if (user != null && !user.matches("[a-z_][a-z0-9_.-]{0,31}")) {
            throw new EnvironmentException(path + ": the user " + user + " is not a user name Burrow accepts (a name such as vscode)");
        }
        boolean gpu = false;
        JsonNode host = root.get("hostRequirements");
        if (host != null && host.isObject()) {
            JsonNode g = host.get("gpu");
            gpu = g != null && (g.isBoolean() ? g.asBoolean() : g.isTextual() ? !g.asText().equals("optional") : g.isObject());
            for (String field : host.propertyNames()) {
                if (!field.equals("gpu")) unsupported.add("hostRequirements." + field + ": not checked by Burrow; ignored");
            }
        }
        List<Environment.Step> lifecycle = new ArrayList<>();
        for (String stage : Environment.ONCE) lifecycle.addAll(steps(root, stage, path));
        lifecycle.addAll(steps(root, Environment.EVERY_START, path));
        gpu |= run.gpu();
        Map<String, String> containerEnv = new LinkedHashMap<>(env(run.env(), "runArgs --env", path, unsupported, run.run().workdir()));
        containerEnv.putAll(env(strings(root, "containerEnv", path), "containerEnv", path, unsupported, run.run().workdir()));
        if (root.has("postAttachCommand")) unsupported.add("postAttachCommand: a session has no editor attaching; not run");
        return new Environment(name, path, image != null ? Environment.Kind.IMAGE : Environment.Kind.BUILD, image, build,
                containerEnv, env(strings(root, "remoteEnv", path), "remoteEnv", path, unsupported, run.run().workdir()), user, gpu, unsupported,
                lifecycle, lockFiles(root, path), features(root, dir, path, unsupported), run.run());
    }

    /** Local features ("./NAME", relative to the config's folder); a registry's are named as not supported. */
    private static List<Environment.Feature> features(JsonNode root, String dir, String path, List<String> unsupported) {
        JsonNode v = root.get("features");
        List<Environment.Feature> out = new ArrayList<>();
        if (v == null || v.isNull()) return out;
        if (!v.isObject()) throw new EnvironmentException(path + ": features must be an object of feature ids and their options");
        for (var e : v.properties()) {
            String id = e.getKey();
            if (!id.startsWith("./")) {
                unsupported.add("features." + id + ": features from a registry are not supported by Burrow yet (a local one, \"./NAME\", is); ignored");
                continue;
            }
            Map<String, String> options = new LinkedHashMap<>();
            JsonNode o = e.getValue();
            if (o.isTextual()) options.put("version", o.asText());
            else if (o.isObject()) options.putAll(strings(v, id, path));
            else if (!o.isNull() && !(o.isBoolean() && o.asBoolean())) throw new EnvironmentException(path + ": features." + id + " must be an object of options");
            out.add(new Environment.Feature(RepoPaths.join(dir, id, path), options));
        }
        return out;
    }

    /** A lifecycle command in its three forms: a string (a shell line), an array (an argv), an object of those (side by side). */
    private static List<Environment.Step> steps(JsonNode root, String stage, String path) {
        JsonNode v = root.get(stage);
        List<Environment.Step> out = new ArrayList<>();
        if (v == null || v.isNull()) return out;
        if (v.isObject()) {
            for (var e : v.properties()) out.add(step(stage, e.getKey(), e.getValue(), path));
        } else {
            out.add(step(stage, "", v, path));
        }
        return out;
    }

    private static Environment.Step step(String stage, String name, JsonNode v, String path) {
        String where = path + ": " + stage + (name.isEmpty() ? "" : "." + name);
        if (!name.matches("[A-Za-z0-9 ._:-]{0,64}")) throw new EnvironmentException(path + ": " + stage + " has a command named " + name + "; use letters, digits and .-_:");
        if (v.isTextual()) return new Environment.Step(stage, name, v.asText(), null);
        if (v.isArray() && !v.isEmpty()) {
            List<String> argv = new ArrayList<>();
            for (JsonNode a : v) {
                if (!a.isTextual()) throw new EnvironmentException(where + " must be an array of strings");
                argv.add(a.asText());
            }
            return new Environment.Step(stage, name, null, argv);
        }
        throw new EnvironmentException(where + " must be a string, an array of strings or an object of those");
    }

    /** customizations.burrow.lockFiles: the files whose change sets the environment up anew. */
    private static List<String> lockFiles(JsonNode root, String path) {
        JsonNode v = root.path("customizations").path("burrow").path("lockFiles");
        List<String> out = new ArrayList<>();
        if (v.isMissingNode() || v.isNull()) return out;
        if (!v.isArray()) throw new EnvironmentException(path + ": customizations.burrow.lockFiles must be an array of repository paths");
        for (JsonNode f : v) {
            if (!f.isTextual()) throw new EnvironmentException(path + ": customizations.burrow.lockFiles must be an array of repository paths");
            out.add(RepoPaths.join("", f.asText(), path));
        }
        return out;
    }

    private static String text(JsonNode node, String field, String path) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw new EnvironmentException(path + ": " + field + " must be a string");
        return v.asText();
    }

    private static Map<String, String> strings(JsonNode node, String field, String path) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return out;
        if (!v.isObject()) throw new EnvironmentException(path + ": " + field + " must be an object of strings");
        for (var e : v.properties()) {
            if (!e.getValue().isTextual() && !e.getValue().isNumber() && !e.getValue().isBoolean()) {
                throw new EnvironmentException(path + ": " + field + "." + e.getKey() + " must be a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    /**
     * Variables, each a name and a one-line value. ${localEnv:...} is never read: the host's
     * environment (its tokens) is not the repository's to copy into a session.
     */
    private static Map<String, String> env(Map<String, String> given, String field, String path, List<String> unsupported, String workdir) {
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : given.entrySet()) {
            String k = e.getKey(), v = e.getValue();
            if (!k.matches("[A-Za-z_][A-Za-z0-9_]*")) throw new EnvironmentException(path + ": " + field + " has a variable named " + k + ", which is not a variable name");
            if (v.contains("\n") || v.contains("\u0000")) throw new EnvironmentException(path + ": " + field + "." + k + " must be one line");
            if (v.contains("${localEnv:") || v.contains("${localWorkspaceFolder")) {
                unsupported.add(field + "." + k + ": ${localEnv:...} and ${localWorkspaceFolder} are your machine's, never handed to a session; left out");
                continue;
            }
            if (Environment.burrowsVariable(k)) {
                unsupported.add(field + "." + k + ": Burrow sets this variable itself (its own, the model's, the proxies, HOME, git's config); left out");
                continue;
            }
            String base = workdir.substring(workdir.lastIndexOf('/') + 1);
            out.put(k, v.replace("${containerWorkspaceFolderBasename}", base).replace("${containerWorkspaceFolder}", workdir));
        }
        return out;
    }
}
