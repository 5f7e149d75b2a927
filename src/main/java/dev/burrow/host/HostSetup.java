package dev.burrow.host;

import dev.burrow.config.Config;
import dev.burrow.container.Commands;
import dev.burrow.container.ContainerEngine;
import dev.burrow.container.ContainerException;
import dev.burrow.container.ExecResult;
import dev.burrow.container.ProcessRunner;
import dev.burrow.container.RunnerImage;
import dev.burrow.container.RunnerImagePin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** What `serve` and `run` make sure of before they start, idempotently. */
public final class HostSetup {
    static final List<String> PACKAGES = List.of("podman", "runc", "uidmap", "slirp4netns", "nftables");

    private HostSetup() {
    }

    public static boolean isRoot() {
        try {
            // The owner of /proc/self is this process's effective uid; no `id -u` process needed.
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) return true;
        }
        return false;
    }

    /** Installs podman and what rootless containers need, with apt, when run as root and it is missing. */
    public static void ensurePodman(Consumer<String> progress) {
        if (onPath("podman")) return;
        Commands cmd = new Commands(ProcessRunner.SYSTEM);
        if (!isRoot()) {
            throw new ContainerException("podman is not installed; install it: sudo apt-get install -y " + String.join(" ", PACKAGES));
        }
        progress.accept("installing " + String.join(" ", PACKAGES) + " with apt-get");
        ExecResult update = cmd.run(List.of("apt-get", "update", "-qq"), 600);
        if (!update.ok()) throw new ContainerException("apt-get update failed: " + update.firstErrorLine());
        List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y", "-qq"));
        install.addAll(PACKAGES);
        ExecResult r = cmd.run(install, 900);
        if (!r.ok()) throw new ContainerException("apt-get install failed: " + r.firstErrorLine());
    }

    /** Builds the runner image when it is missing. */
    public static void ensureImage(ContainerEngine engine, Config config, String image, Consumer<String> progress) {
        if (engine.imageExists(image)) return;
        if (!config.runnerImage().isBlank()) {
            throw new ContainerException("the configured runner image " + image + " does not exist; build or pull it, or unset BURROW_RUNNER_IMAGE");
        }
        buildImage(engine, config, progress);
    }

    public static void buildImage(ContainerEngine engine, Config config, Consumer<String> progress) {
        RunnerImage runner = RunnerImage.fromClasspath();
        runner.build(engine, config.baseImage(), List.of(Path.of("/usr/local/share/ca-certificates")), progress);
        new RunnerImagePin(engine, config.dataDir()).record(runner.tag());
        // Rootless keep-id containers need the image's files mapped to the user once; doing
        // it now keeps that minute out of the first session's start.
        progress.accept("preparing the image for this user's containers (once)");
        ExecResult r = new Commands(ProcessRunner.SYSTEM).run(RunnerImage.claudeVersionArgv(runner.tag(), "image-check"), 900);
        if (!r.ok()) throw new ContainerException("the new runner image does not run: " + r.firstErrorLine());
        progress.accept("runner image ready: Claude Code " + r.stdout().strip());
    }
}
