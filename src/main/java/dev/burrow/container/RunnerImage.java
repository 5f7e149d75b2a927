package dev.burrow.container;

import dev.burrow.workspace.Workspaces;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The runner image: its build files ship in the jar, and its tag is a hash of them, so a
 * Burrow whose Containerfile changed builds a new image instead of using a stale one.
 */
public final class RunnerImage {
    static final List<String> FILES = List.of("Containerfile", "burrow-agent", "burrow-agent-run", "burrow-tui", "burrow-hook", "burrow-setup", "burrow-egress", "burrow-preview", "burrow-save",
            "burrow-git-credential", "docker", "gh", "tmux.conf", "burrow-bundle", "burrow-env-layer");
    public static final String DEFAULT_BASE = "docker.io/library/debian:bookworm";
    /** Rootless: the host user becomes the image's `agent` user (uid 1000, made by the Containerfile). */
    public static final String KEEP_ID_USERNS = "keep-id:uid=1000,gid=1000";
    private static final Pattern STEP = Pattern.compile("^STEP (\\d+)/(\\d+): (.*)$");
    private static final Pattern CLAUDE_VERSION = Pattern.compile("ARG CLAUDE_CODE_VERSION=(\\S+)");

    private final Map<String, byte[]> files;

    private RunnerImage(Map<String, byte[]> files) {
        this.files = files;
    }

    public static RunnerImage fromClasspath() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String f : FILES) {
            try (InputStream in = RunnerImage.class.getResourceAsStream("/runner/" + f)) {
                if (in == null) throw new IllegalStateException("runner/" + f + " missing from the jar; rebuild with ./burrow");
                files.put(f, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new RunnerImage(files);
    }

    /** localhost/burrow-runner:HASH, the hash of the build files. */
    public String tag() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            files.forEach((name, bytes) -> {
                md.update(name.getBytes(StandardCharsets.UTF_8));
                md.update(bytes);
            });
            return "localhost/burrow-runner:" + HexFormat.of().formatHex(md.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * `podman run` of a throwaway container of {@code image} that prints Claude Code's version:
     * the doctor's trivial run, and the one-time keep-id preparation after a build.
     */
    public static List<String> claudeVersionArgv(String image, String label) {
        return List.of("podman", "run", "--rm", "--userns=" + KEEP_ID_USERNS, "--label", PodmanCli.SESSION_LABEL + "=" + label,
                image, "claude", "--version");
    }

    /** The Claude Code version the image pins. */
    public String claudeCodeVersion() {
        Matcher m = CLAUDE_VERSION.matcher(new String(files.get("Containerfile"), StandardCharsets.UTF_8));
        return m.find() ? m.group(1) : "unknown";
    }

    /**
     * Builds the image from {@code baseImage}, reporting "step n of m" with the elapsed time.
     * The host's extra CA certificates go into the build, so a TLS-inspecting proxy the host
     * trusts is trusted inside too.
     */
    public void build(ContainerEngine engine, String baseImage, List<Path> extraCaDirs, Consumer<String> progress) {
        Path ctx;
        try {
            // Modes are set, not left to the umask (077 under the launcher): COPY keeps them, and
            // the layer cache is keyed by them.
            ctx = Files.createTempDirectory("burrow-runner-");
            Files.setPosixFilePermissions(ctx, PosixFilePermissions.fromString("rwxr-xr-x"));
            for (var e : files.entrySet()) {
                Path f = ctx.resolve(e.getKey());
                Files.write(f, e.getValue());
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(e.getKey().equals("Containerfile") ? "rw-r--r--" : "rwxr-xr-x"));
            }
            Path ca = Files.createDirectories(ctx.resolve("extra-ca"));
            Files.setPosixFilePermissions(ca, PosixFilePermissions.fromString("rwxr-xr-x"));
            for (Path dir : extraCaDirs) {
                if (!Files.isDirectory(dir)) continue;
                try (Stream<Path> certs = Files.walk(dir)) {
                    for (Path c : certs.filter(p -> p.toString().endsWith(".crt") && Files.isRegularFile(p)).toList()) {
                        Files.copy(c, ca.resolve(c.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                        Files.setPosixFilePermissions(ca.resolve(c.getFileName()), PosixFilePermissions.fromString("rw-r--r--"));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long start = System.nanoTime();
        String tag = tag();
        progress.accept("building the runner image " + tag + " from " + baseImage + " (Claude Code " + claudeCodeVersion() + ")");
        int code = engine.build(ctx, tag, Map.of("BASE_IMAGE", baseImage), line -> {
            Matcher m = STEP.matcher(line);
            if (m.matches()) {
                double s = (System.nanoTime() - start) / 1e9;
                String what = m.group(3).length() > 70 ? m.group(3).substring(0, 70) + "..." : m.group(3);
                progress.accept(String.format("[%5.1fs] step %s of %s: %s", s, m.group(1), m.group(2), what));
            } else if (line.startsWith("Error") || line.startsWith("error")) {
                progress.accept(line);
            }
        });
        Workspaces.deleteQuietly(ctx);
        if (code != 0) {
            throw new ContainerException("building the runner image failed (podman exit " + code + "); run ./burrow image build to see its output,"
                    + " and set BURROW_BASE_IMAGE if " + baseImage + " cannot be pulled here");
        }
        progress.accept(String.format("built %s in %.1f s", tag, (System.nanoTime() - start) / 1e9));
    }
}
