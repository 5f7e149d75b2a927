package dev.burrow.environment;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A session's environment as the repository describes it, read on the host as data from the
 * commit the session starts from: Burrow's runner image, an image by name, or a Containerfile
 * built from a context in the repository. Nothing of it has run; every value is the
 * repository's, so the agent's, to choose.
 *
 * @param name         the devcontainer's folder name (.devcontainer/NAME), "default", or "burrow"
 * @param config       the repository path it was read from, or null for Burrow's own image
 * @param image        the image to start from (kind IMAGE), else null
 * @param build        the build (kind BUILD), else null
 * @param containerEnv variables of the container, as given
 * @param remoteEnv    variables of the agent's processes, as given
 * @param user         the user the agent runs as (remoteUser, else containerUser), or null for Burrow's choice
 * @param gpu          hostRequirements.gpu asks for the GPU
 * @param unsupported  what the config has that Burrow does not do, one line each (said in the session)
 * @param lifecycle    the lifecycle commands, in the order they run
 * @param lockFiles    the files whose change sets the environment up anew (empty: {@link #DEFAULT_LOCK_FILES})
 * @param features     the local features to install on the image, in order
 * @param run          what the session's container gets beyond Burrow's own (mounts, runArgs, workspaceFolder, forwardPorts)
 */
public record Environment(String name, String config, Kind kind, String image, Build build, Map<String, String> containerEnv,
                          Map<String, String> remoteEnv, String user, boolean gpu, List<String> unsupported, List<Step> lifecycle,
                          List<String> lockFiles, List<Feature> features, RunSettings run) {
    /**
     * What devcontainer.json asks of the session's container itself.
     *
     * @param options the mounts and runArgs that passed {@link RunArgs}
     * @param workdir the workspaceFolder: where the workspace is seen and the agent works (/workspace, or a folder under it, or
     *                another path the workspace is also mounted at)
     * @param ports   forwardPorts, with portsAttributes' labels: the session's preview links
     */
    public record RunSettings(dev.burrow.container.RunOptions options, String workdir, List<Port> ports) {
        public static final RunSettings NONE = new RunSettings(dev.burrow.container.RunOptions.NONE, WORKSPACE, List.of());

        public RunSettings {
            Objects.requireNonNull(options);
            Objects.requireNonNull(workdir);
            ports = List.copyOf(ports);
        }
    }

    /** A port the environment forwards: a preview link of the session, with its label ("" for none). */
    public record Port(int port, String label) {
        public Port {
            if (port < 1 || port > 65535) throw new IllegalArgumentException("no port " + port);
            Objects.requireNonNull(label);
        }
    }

    /** Where the session's workspace is in its container. */
    public static final String WORKSPACE = "/workspace";

    /** A local feature: its folder's repository path and the options the config gives it. */
    public record Feature(String path, Map<String, String> options) {
        public Feature {
            Objects.requireNonNull(path);
            options = Map.copyOf(options);
        }
    }

    /** The lock files looked for at the repository's root when the environment names none. */
    public static final List<String> DEFAULT_LOCK_FILES = List.of("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
            "bun.lock", "bun.lockb", "requirements.txt", "requirements-dev.txt", "poetry.lock", "Pipfile.lock", "uv.lock", "pdm.lock",
            "Cargo.lock", "go.sum", "Gemfile.lock", "composer.lock", "gradle.lockfile", "gradle/libs.versions.toml", "mix.lock",
            "flake.lock", "pubspec.lock", "Podfile.lock", "packages.lock.json", "pom.xml", "build.gradle", "build.gradle.kts");

    /** The lifecycle commands that set a container up once; postStartCommand runs at every start. */
    public static final List<String> ONCE = List.of("onCreateCommand", "updateContentCommand", "postCreateCommand");
    public static final String EVERY_START = "postStartCommand";

    /**
     * One command of a lifecycle stage: a shell line (string form) or an argv (array form); the
     * object form gives several, named, run side by side.
     *
     * @param stage the devcontainer.json field
     * @param name  the object form's key, or "" for the other forms
     */
    public record Step(String stage, String name, String shell, List<String> argv) {
        public Step {
            Objects.requireNonNull(stage);
            Objects.requireNonNull(name);
            if ((shell == null) == (argv == null)) throw new IllegalArgumentException("a step is a shell line or an argv");
            argv = argv == null ? null : List.copyOf(argv);
        }

        public boolean everyStart() {
            return stage.equals(EVERY_START);
        }
    }
    public enum Kind {
        /** Burrow's runner image, as for a repository without an environment. */
        RUNNER,
        /** An image by name, present on this machine or pulled under the session's policy. */
        IMAGE,
        /** A Containerfile from the repository, built through the session's guarded build. */
        BUILD
    }

    /**
     * @param containerfile the Containerfile's repository path
     * @param context       the build context's repository path ("" for the root)
     * @param args          build arguments
     * @param target        the stage to build, or null
     */
    public record Build(String containerfile, String context, Map<String, String> args, String target) {
        public Build {
            Objects.requireNonNull(containerfile);
            Objects.requireNonNull(context);
            args = Map.copyOf(args);
        }
    }

    public Environment {
        Objects.requireNonNull(name);
        Objects.requireNonNull(kind);
        containerEnv = Map.copyOf(containerEnv);
        remoteEnv = Map.copyOf(remoteEnv);
        unsupported = List.copyOf(unsupported);
        lifecycle = List.copyOf(lifecycle);
        lockFiles = List.copyOf(lockFiles);
        features = List.copyOf(features);
        run = run == null ? RunSettings.NONE : run;
        if ((kind == Kind.IMAGE) != (image != null) || (kind == Kind.BUILD) != (build != null)) {
            throw new IllegalArgumentException("an environment's kind and its image or build disagree");
        }
    }

    /** Burrow's own runner image. */
    public static final Environment RUNNER_IMAGE = new Environment("burrow", null, Kind.RUNNER, null, null, Map.of(), Map.of(), null, false, List.of(),
            List.of(), List.of(), List.of(), RunSettings.NONE);

    public boolean own() {
        return kind != Kind.RUNNER;
    }

    /**
     * Names of the container's environment that are Burrow's to set (its doors, its proxies, the
     * agent's home and login): a variable of the environment of one of these names is left out,
     * with a line saying so.
     */
    public static boolean burrowsVariable(String name) {
        return name.startsWith("BURROW_") || name.startsWith("ANTHROPIC_") || name.startsWith("CLAUDE_") || name.equals("HOME")
                || name.equals("IS_SANDBOX") || name.equals("CONTAINER_HOST") || name.equals("DOCKER_HOST") || name.equals("GH_HOST")
                || name.toLowerCase(java.util.Locale.ROOT).endsWith("_proxy") || name.equals("JAVA_TOOL_OPTIONS") || name.startsWith("GIT_CONFIG");
    }

    /**
     * The variables with each ${containerEnv:NAME} replaced by the image's value of NAME ("" when
     * it has none), as devcontainer.json means it; the values are data, nothing else is expanded.
     */
    public static Map<String, String> expandContainerEnv(Map<String, String> vars, Map<String, String> image) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        java.util.regex.Pattern ref = java.util.regex.Pattern.compile("\\$\\{containerEnv:([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?}");
        vars.forEach((k, v) -> out.put(k, ref.matcher(v).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(
                image.getOrDefault(m.group(1), m.group(2) == null ? "" : m.group(2))))));
        return out;
    }
}
