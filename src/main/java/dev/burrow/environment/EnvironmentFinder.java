package dev.burrow.environment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which environment a session of a repository gets, from its files at the session's commit:
 * .devcontainer/devcontainer.json, .devcontainer.json, or .devcontainer/NAME/devcontainer.json
 * (the one asked for by name; several without a name: the first, said in the session); else
 * .burrow/Containerfile (context .burrow/); else Burrow's runner image. "burrow" asks for
 * Burrow's image whatever the repository has.
 */
public final class EnvironmentFinder {
    static final int MAX_CONFIG = 256 * 1024;
    public static final String BURROW = "burrow";
    public static final String DEFAULT = "default";

    private EnvironmentFinder() {
    }

    /** What a session gets, with the lines the session shows about the choice. */
    public record Found(Environment environment, List<String> notes) {
    }

    /** {@code asked}: the environment's name from the request, or null. */
    public static Found find(RepoFiles repo, String asked) {
        if (asked != null && !asked.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new EnvironmentException("environment " + asked + " is not an environment's name (a folder name under .devcontainer, default or burrow)");
        }
        if (BURROW.equals(asked)) return new Found(Environment.RUNNER_IMAGE, List.of());
        Map<String, String> configs = new java.util.LinkedHashMap<>();
        if (repo.read(".devcontainer/devcontainer.json", MAX_CONFIG).isPresent()) configs.put(DEFAULT, ".devcontainer/devcontainer.json");
        else if (repo.read(".devcontainer.json", MAX_CONFIG).isPresent()) configs.put(DEFAULT, ".devcontainer.json");
        List<String> names = new ArrayList<>(repo.list(".devcontainer"));
        names.sort(null);
        for (String n : names) {
            String p = ".devcontainer/" + n + "/devcontainer.json";
            if (!n.equals(DEFAULT) && n.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}") && repo.read(p, MAX_CONFIG).isPresent()) configs.put(n, p);
        }
        List<String> notes = new ArrayList<>();
        if (asked != null) {
            String path = configs.get(asked);
            if (path == null) {
                throw new EnvironmentException("this repository has no environment " + asked + " at " + shortCommit(repo)
                        + (configs.isEmpty() ? " (it has no devcontainer.json)" : "; it has " + String.join(", ", configs.keySet())));
            }
            return new Found(DevcontainerJson.parse(asked, path, repo.read(path, MAX_CONFIG).orElseThrow()), notes);
        }
        if (!configs.isEmpty()) {
            var first = configs.entrySet().iterator().next();
            if (configs.size() > 1) {
                notes.add("environment " + first.getKey() + " of " + String.join(", ", configs.keySet()) + "; pick another in the new-session form or with \"environment\"");
            }
            return new Found(DevcontainerJson.parse(first.getKey(), first.getValue(), repo.read(first.getValue(), MAX_CONFIG).orElseThrow()), notes);
        }
        Optional<byte[]> containerfile = repo.read(".burrow/Containerfile", MAX_CONFIG);
        if (containerfile.isPresent()) {
            return new Found(new Environment(DEFAULT, ".burrow/Containerfile", Environment.Kind.BUILD, null,
                    new Environment.Build(".burrow/Containerfile", ".burrow", Map.of(), null), Map.of(), Map.of(), null, false, List.of(), List.of(),
                    List.of(), List.of(), Environment.RunSettings.NONE), notes);
        }
        return new Found(Environment.RUNNER_IMAGE, notes);
    }

    private static String shortCommit(RepoFiles repo) {
        String c = repo.commit();
        return c.length() > 12 ? c.substring(0, 12) : c;
    }
}
