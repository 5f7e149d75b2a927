package dev.burrow.workspace;

import dev.burrow.container.Commands;
import dev.burrow.container.ExecResult;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The host's git CLI. Every value is its own argv element. */
final class Git {
    private final Commands commands;

    Git(Commands commands) {
        this.commands = Objects.requireNonNull(commands);
    }

    ExecResult run(Path dir, String... args) {
        return run(dir, Map.of(), List.of(args));
    }

    ExecResult run(Path dir, Map<String, String> env, List<String> args) {
        List<String> argv = new ArrayList<>();
        if (!env.isEmpty()) {
            argv.add("env");
            env.forEach((k, v) -> argv.add(k + "=" + v));
        }
        argv.add("git");
        if (dir != null) argv.addAll(List.of("-C", dir.toString()));
        argv.addAll(args);
        return commands.run(argv, 900);
    }

    /**
     * Git for what came out of a container (a bundle, the refs fetched from it): no system or
     * global config, no hooks, no fsmonitor, no external diff or textconv drivers, objects
     * checked as they arrive, and no transport but local files.
     */
    ExecResult hardened(Path dir, List<String> args) {
        return commands.run(hardenedArgv(dir, args), 900);
    }

    private static List<String> hardenedArgv(Path dir, List<String> args) {
        List<String> argv = new ArrayList<>(List.of("env", "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_TERMINAL_PROMPT=0",
                "GIT_EXTERNAL_DIFF=", "git"));
        if (dir != null) argv.addAll(List.of("-C", dir.toString()));
        argv.addAll(List.of("-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", "-c", "protocol.allow=never",
                "-c", "protocol.file.allow=always", "-c", "fetch.fsckObjects=true", "-c", "diff.external=", "-c", "core.attributesFile=/dev/null"));
        argv.addAll(args);
        return argv;
    }

    /** Hardened git whose stdout streams into {@code out}, killed past {@code maxBytes} (exit 125) or a minute. */
    ExecResult hardenedStream(Path dir, List<String> args, long maxBytes, OutputStream out) {
        return commands.stream(hardenedArgv(dir, args), InputStream.nullInputStream(), out, maxBytes, Duration.ofMinutes(1));
    }

    String hardenedChecked(Path dir, String... args) {
        ExecResult r = hardened(dir, List.of(args));
        if (!r.ok()) throw new WorkspaceException("git " + args[0] + " failed: " + r.firstErrorLine());
        return r.stdout().strip();
    }

    /** Runs git and returns its trimmed stdout, or throws with git's own first error line. */
    String checked(Path dir, String... args) {
        return checked(dir, Map.of(), List.of(args));
    }

    String checked(Path dir, Map<String, String> env, List<String> args) {
        ExecResult r = run(dir, env, args);
        if (!r.ok()) throw new WorkspaceException("git " + args.getFirst() + " failed: " + r.firstErrorLine());
        return r.stdout().strip();
    }

    /** git's own ref-name rules for a branch name. */
    boolean isValidBranchName(String name) {
        if (name == null || name.isBlank() || name.startsWith("-")) return false;
        return run(null, "check-ref-format", "--branch", name).ok();
    }
}
