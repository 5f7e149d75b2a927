package dev.burrow.environment;

import dev.burrow.container.ContainerEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The images sessions of a user's own environment run: the user's image (by name, or built
 * from the repository's Containerfile through the session's guarded build) with Burrow's layer
 * on top ({@code runner/burrow-env-layer}), named {@code localhost/burrow-env:KEY} where KEY
 * is the environment's content: the config, the Containerfile, the context's tree, the user
 * image's id and the runner image's. A later session with the same content starts from it.
 * Lock rule: one build per key at a time ({@link #locks}); different keys build side by side.
 */
public final class EnvironmentImages {
    public static final String REPOSITORY = "localhost/burrow-env";
    public static final String KEY_LABEL = "burrow.env.key";
    public static final String USER_LABEL = "burrow.env.user";
    public static final String MADE_LABEL = "burrow.env.made";
    public static final String NAME_LABEL = "burrow.env.name";
    /** Where a session's container sees the runner image (read-only): Burrow's tools. */
    public static final String RUNNER_MOUNT = "/opt/burrow-runner";

    private final ContainerEngine engine;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    /** The images this process made or found, by key. */
    private final Map<String, Ready> made = new ConcurrentHashMap<>();

    public EnvironmentImages(ContainerEngine engine) {
        this.engine = Objects.requireNonNull(engine);
    }

    /** What a session of the environment runs: the image's full id and the agent's user. */
    public record Ready(String image, AgentUser user, boolean built) {
    }

    /** The session's guarded Podman socket, opened for one build. */
    public interface BuildGate {
        Opened open() throws IOException;

        interface Opened extends AutoCloseable {
            Path socket();

            @Override
            void close();
        }
    }

    /**
     * The environment's image, made when missing: {@code runner} is the runner image's full id,
     * {@code gate} the session's guarded build; the build's steps go to {@code progress}.
     */
    public Ready ensure(Environment env, RepoFiles repo, String runner, BuildGate gate, Consumer<String> progress) {
        return ensure(env, repo, runner, gate, progress, true);
    }

    /** {@code mayBuild} false: only an image built already is found (a warm container never builds: a session's start does). */
    public Ready ensure(Environment env, RepoFiles repo, String runner, BuildGate gate, Consumer<String> progress, boolean mayBuild) {
        if (!env.own()) throw new IllegalArgumentException("Burrow's own image needs no environment build");
        String source = env.kind() == Environment.Kind.IMAGE ? userImage(env) : null;
        String key = key(env, repo, runner, source);
        String tag = REPOSITORY + ":" + key.substring(0, 24);
        ReentrantLock lock = locks.computeIfAbsent(key, k -> new ReentrantLock());
        lock.lock();
        try {
            // Known in this process: one look that its name still names it, not two.
            Ready known = made.get(key);
            if (known != null && engine.imageId(tag).filter(known.image()::equals).isPresent()) return new Ready(known.image(), known.user(), false);
            var labels = engine.imageLabels(tag);
            if (labels.isPresent() && key.equals(labels.get().get(KEY_LABEL))) {
                String id = engine.imageId(tag).orElseThrow(() -> new EnvironmentException("the environment image " + tag + " went away; start again"));
                Ready found = new Ready(id, AgentUser.fromLabel(labels.get().get(USER_LABEL)), false);
                made.put(key, found);
                return found;
            }
            if (!mayBuild) throw new EnvironmentException("the environment " + env.name() + " is not built yet");
            if (source == null) source = buildUserImage(env, repo, key, gate, progress);
            if (!env.features().isEmpty()) source = installFeatures(env, repo, source, key, gate, progress);
            Ready built = layer(env, source, runner, key, tag, progress);
            made.put(key, built);
            return built;
        } finally {
            lock.unlock();
        }
    }

    private String userImage(Environment env) {
        // A name, never an id: an id (or its first digits) would reach any image here, another session's build included;
        // and none of the names Burrow gives (sessions' builds, environments, set-ups).
        String name = env.image().strip();
        if (name.matches("(sha256:)?[0-9a-fA-F]{1,64}")) {
            throw new EnvironmentException(env.config() + ": image " + name + " is an image id; name the image (repository:tag) instead");
        }
        String local = name.toLowerCase(java.util.Locale.ROOT).replaceFirst("^localhost/", "");
        String space = dev.burrow.container.ContainerEngine.IMAGE_SPACES.substring("localhost/".length());
        String envs = REPOSITORY.substring("localhost/".length());
        if (local.startsWith(space) || local.equals(envs) || local.startsWith(envs + ":") || local.startsWith(envs + "@")) {
            throw new EnvironmentException(env.config() + ": image " + name + " is one of Burrow's own (a session's build, an environment);"
                    + " name an image of yours, or build it from a Containerfile");
        }
        return engine.imageId(name).orElseThrow(() -> new EnvironmentException("the environment's image " + env.image()
                + " is not on this machine; pull it first (podman pull " + env.image() + ")"));
    }

    private String buildUserImage(Environment env, RepoFiles repo, String key, BuildGate gate, Consumer<String> progress) {
        Environment.Build b = env.build();
        String ctx = b.context();
        String file = b.containerfile();
        String inside = ctx.isEmpty() ? file : file.startsWith(ctx + "/") ? file.substring(ctx.length() + 1) : null;
        if (inside == null) throw new EnvironmentException(env.config() + ": the Containerfile " + file + " must be inside the build context " + (ctx.isEmpty() ? "." : ctx));
        if (repo.read(file, 1024 * 1024).isEmpty()) throw new EnvironmentException(env.config() + ": there is no file " + file + " at " + repo.commit().substring(0, 12));
        Path tar = null;
        try {
            tar = Files.createTempFile("burrow-env-", ".tar");
            repo.archive(ctx, tar);
            progress.accept("environment: building " + file);
            try (BuildGate.Opened socket = gate.open()) {
                return GuardedBuild.build(socket.socket(), tar, inside, "environment-source:" + key.substring(0, 24), b.args(), b.target(),
                        line -> progress.accept("environment: " + line));
            }
        } catch (IOException e) {
            throw new EnvironmentException("the environment could not be built: " + e.getMessage(), e);
        } finally {
            if (tar != null) {
                try {
                    Files.deleteIfExists(tar);
                } catch (IOException ignored) {
                    // a temp file
                }
            }
        }
    }

    /** The local features on the image, through the session's guarded build (Features). */
    private String installFeatures(Environment env, RepoFiles repo, String source, String key, BuildGate gate, Consumer<String> progress) {
        Map<String, String> files = Features.files(env, repo, source);
        Path archive = null;
        Path context = null;
        try {
            archive = Files.createTempFile("burrow-env-", ".tar");
            context = Files.createTempFile("burrow-env-", ".tar");
            repo.archive(Features.configDir(env), archive);
            Features.context(archive, files, context);
            progress.accept("environment: installing " + env.features().size() + (env.features().size() == 1 ? " feature" : " features"));
            try (BuildGate.Opened socket = gate.open()) {
                return GuardedBuild.build(socket.socket(), context, Features.DIR + "/Containerfile", "environment-features:" + key.substring(0, 24),
                        Map.of(), null, line -> progress.accept("environment: " + line));
            }
        } catch (IOException e) {
            throw new EnvironmentException("the environment's features could not be installed: " + e.getMessage(), e);
        } finally {
            for (Path p : new Path[] {archive, context}) {
                if (p == null) continue;
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a temp file
                }
            }
        }
    }

    /** Burrow's layer on the user's image: a build of Burrow's own, without network, running only the runner's tools. */
    private Ready layer(Environment env, String source, String runner, String key, String tag, Consumer<String> progress) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("burrow-env-layer-");
            progress.accept("environment: adding Burrow's tools");
            Files.writeString(dir.resolve("Containerfile"), "FROM " + source + "\nUSER root\nRUN --mount=type=bind,from=" + runner + ",target=" + RUNNER_MOUNT
                    + " [\"" + RUNNER_MOUNT + "/opt/burrow/bin/python3\", \"-S\", \"" + RUNNER_MOUNT + "/usr/local/lib/burrow/burrow-env-layer\", \""
                    + (env.user() == null ? "" : env.user()) + "\"]\n");
            Map<String, String> reported = new LinkedHashMap<>();
            List<String> tail = new ArrayList<>();
            Path iid = dir.resolve("iid");
            int code = engine.buildOwn(dir, null, List.of("--network=none", "--pull=never", "--iidfile", iid.toString()), line -> {
                if (line.startsWith("burrow-env ")) {
                    for (String f : line.substring(11).split(" ")) {
                        int eq = f.indexOf('=');
                        if (eq > 0) reported.put(f.substring(0, eq), f.substring(eq + 1));
                    }
                }
                if (line.startsWith("burrow: ")) tail.add(line.substring(8));
            });
            if (code != 0) {
                throw new EnvironmentException(tail.isEmpty() ? "Burrow's tools could not be added to the environment's image (podman build exited " + code + ")"
                        : "the environment's image cannot run Burrow's agent: " + tail.getLast());
            }
            AgentUser user = AgentUser.fromLine(reported);
            String layered = Files.readString(iid).strip().replace("sha256:", "");
            Files.writeString(dir.resolve("Containerfile"), "FROM " + layered + "\n"
                    + "LABEL " + label(KEY_LABEL, key) + " " + label(USER_LABEL, user.label()) + " " + label(NAME_LABEL, env.name()) + " "
                    + label(MADE_LABEL, String.valueOf(System.currentTimeMillis() / 1000)) + " " + label(ContainerEngine.SIBLING_LABEL, "") + "\n"
                    + "ENTRYPOINT []\nCMD []\nWORKDIR /workspace\n");
            code = engine.buildOwn(dir, tag, List.of("--network=none", "--pull=never", "--iidfile", iid.toString()), line -> {
            });
            if (code != 0) throw new EnvironmentException("the environment's image could not be labelled (podman build exited " + code + ")");
            String id = Files.readString(iid).strip().replace("sha256:", "");
            progress.accept("environment: ready");
            return new Ready(id, user, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (dir != null) dev.burrow.workspace.Workspaces.deleteQuietly(dir);
        }
    }

    /** A LABEL instruction's pair: the value quoted, as only Burrow's own checked values are. */
    private static String label(String name, String value) {
        if (!value.matches("[A-Za-z0-9:/._ -]*")) throw new EnvironmentException("a label value Burrow does not write: " + value);
        return name + "=\"" + value + "\"";
    }

    static String key(Environment env, RepoFiles repo, String runner, String sourceImage) {
        StringBuilder sb = new StringBuilder("burrow-env 1\n").append(env.kind()).append('\n').append(env.user()).append('\n').append(runner).append('\n');
        if (sourceImage != null) sb.append("image ").append(sourceImage).append('\n');
        if (env.build() != null) {
            Environment.Build b = env.build();
            sb.append("file ").append(b.containerfile()).append(' ').append(repo.id(b.containerfile()).orElse("-")).append('\n');
            sb.append("context ").append(b.context()).append(' ').append(repo.id(b.context()).orElse("-")).append('\n');
            new TreeMap<>(b.args()).forEach((k, v) -> sb.append("arg ").append(k).append('=').append(v).append('\n'));
            sb.append("target ").append(b.target()).append('\n');
        }
        Features.key(env, repo, sb);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
