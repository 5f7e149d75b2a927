package dev.burrow.host;

import dev.burrow.config.PrivateFiles;
import dev.burrow.container.Commands;
import dev.burrow.container.ExecResult;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Burrow as a systemd user service ({@code burrow service install|uninstall|status}): a unit
 * running {@code burrow serve} with this shell's non-secret settings, restarted on failure,
 * logging to the journal, and stopped without touching the sessions' containers.
 *
 * <p>Secrets never go into the unit (any local user can read a unit's Environment= through
 * systemctl show): those set in this shell are kept in the data dir's burrow.properties (0600),
 * where {@code burrow serve} reads them.
 */
public final class UserService {
    public static final String UNIT = "burrow.service";

    /** Secret settings, by environment variable, with the burrow.properties key that holds them instead. */
    static final Map<String, String> SECRETS = Map.of(
            "ANTHROPIC_API_KEY", "anthropic.api_key",
            "CLAUDE_CODE_OAUTH_TOKEN", "claude.oauth_token",
            "BURROW_GITHUB_TOKEN", "github.token",
            "GH_TOKEN", "github.token",
            "GITHUB_TOKEN", "github.token");

    /** What the unit runs: the launcher, the JDK it found, the data dir, serve's options and the environment it reads. */
    public record Plan(Path launcher, Path javaHome, Path dataDir, List<String> serveArgs, Map<String, String> env) {
    }

    /** What a step did, in a line for the user; {@code ok} false when the user has something to do. */
    public record Step(boolean ok, String line) {
    }

    private final Commands commands;
    private final Path configHome;

    /** {@code configHome}: $XDG_CONFIG_HOME, or ~/.config. */
    public UserService(Commands commands, Path configHome) {
        this.commands = Objects.requireNonNull(commands);
        this.configHome = Objects.requireNonNull(configHome);
    }

    public static Path configHome(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        return xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
    }

    public Path unitFile() {
        return configHome.resolve("systemd").resolve("user").resolve(UNIT);
    }

    /** The unit's text: the same plan gives the same text, so a second install changes nothing. */
    public static String unitText(Plan plan) {
        Map<String, String> env = new TreeMap<>();
        plan.env().forEach((k, v) -> {
            if (kept(k)) env.put(k, v);
        });
        env.put("JAVA_HOME", plan.javaHome().toString());
        env.put("BURROW_DATA_DIR", plan.dataDir().toString());
        StringBuilder exec = new StringBuilder(quote(plan.launcher().toString(), true)).append(" serve");
        for (String a : plan.serveArgs()) exec.append(' ').append(quote(a, true));
        StringBuilder b = new StringBuilder();
        b.append("# Burrow as a systemd user service, written by `burrow service install`; `burrow service uninstall` removes it.\n");
        b.append("# No secrets here: they stay in ").append(plan.dataDir()).append("/burrow.properties (0600) and the data dir's own files.\n");
        b.append("[Unit]\nDescription=Burrow: Claude Code sessions in containers\n");
        b.append("Documentation=file://").append(plan.launcher().getParent().resolve("README.md")).append("\n\n");
        b.append("[Service]\nType=exec\n");
        b.append("ExecStart=").append(exec).append('\n');
        b.append("WorkingDirectory=").append(plan.launcher().getParent().toString().replace("%", "%%")).append('\n');
        env.forEach((k, v) -> b.append("Environment=").append(quote(k + "=" + v, false)).append('\n'));
        b.append("Restart=on-failure\nRestartSec=5\n");
        b.append("# Stopping or restarting Burrow stops its own process only: the sessions' containers (and their conmon)\n");
        b.append("# keep running, and the next start takes them over.\n");
        b.append("KillMode=process\nTimeoutStopSec=30\n");
        b.append("StandardOutput=journal\nStandardError=journal\n\n");
        b.append("[Install]\nWantedBy=default.target\n");
        return b.toString();
    }

    /** An environment variable the unit carries: Burrow's settings and where to find its tools, never a secret. */
    static boolean kept(String name) {
        if (SECRETS.containsKey(name)) return false;
        if (name.matches(".*(TOKEN|SECRET|PASSWORD|API_KEY).*")) return false;
        return name.startsWith("BURROW_") || name.equals("ANTHROPIC_BASE_URL") || name.equals("CLAUDE_CONFIG_DIR") || name.equals("PATH")
                || name.equals("LANG") || name.equals("XDG_DATA_HOME");
    }

    /** A value as systemd reads it: double-quoted, with its specifiers (and, on command lines, its variables) taken literally. */
    static String quote(String value, boolean commandLine) {
        if (value.chars().anyMatch(c -> c == '\n' || c == '\r' || c == 0)) throw new IllegalArgumentException("a line break in " + value.strip());
        String q = value.replace("\\", "\\\\").replace("\"", "\\\"").replace("%", "%%");
        if (commandLine) q = q.replace("$", "$$");
        return "\"" + q + "\"";
    }

    /** Writes the unit (unchanged when it is the same), then, when asked, enables and starts it. */
    public List<Step> install(Plan plan, boolean enable) {
        List<Step> steps = new ArrayList<>();
        steps.addAll(keepSecrets(plan));
        String text = unitText(plan);
        Path file = unitFile();
        try {
            boolean same = Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.readString(file).equals(text);
            if (same) {
                steps.add(new Step(true, "the unit " + file + " is already installed, unchanged"));
            } else {
                boolean existed = Files.exists(file, LinkOption.NOFOLLOW_LINKS);
                Files.createDirectories(file.getParent());
                Path part = file.resolveSibling(UNIT + ".part");
                Files.writeString(part, text, StandardCharsets.UTF_8);
                Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                steps.add(new Step(true, (existed ? "updated " : "wrote ") + file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        if (!enable) {
            steps.add(new Step(true, "not enabled (--no-enable); start it with: systemctl --user daemon-reload && systemctl --user enable --now " + UNIT));
            return steps;
        }
        ExecResult reload = commands.run(List.of("systemctl", "--user", "daemon-reload"), 30);
        ExecResult on = reload.ok() ? commands.run(List.of("systemctl", "--user", "enable", "--now", UNIT), 60) : reload;
        if (!on.ok()) {
            steps.add(new Step(false, "the unit is written, but systemctl --user could not enable it (" + on.firstErrorLine()
                    + "); in a login session of this user (not su), run: systemctl --user daemon-reload && systemctl --user enable --now " + UNIT));
        } else {
            // A restart after an update: the running one carries the old unit.
            commands.run(List.of("systemctl", "--user", "try-restart", UNIT), 60);
            steps.add(new Step(true, "enabled and started: systemctl --user status " + UNIT + "; logs: journalctl --user -u " + UNIT));
        }
        steps.add(linger());
        return steps;
    }

    /** Stops and disables the service and removes its unit; the sessions' containers keep running. */
    public List<Step> uninstall() {
        List<Step> steps = new ArrayList<>();
        Path file = unitFile();
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            steps.add(new Step(true, "not installed (no " + file + "); nothing to do"));
            return steps;
        }
        ExecResult off = commands.run(List.of("systemctl", "--user", "disable", "--now", UNIT), 60);
        steps.add(off.ok() ? new Step(true, "stopped and disabled; running sessions' containers keep running (burrow serve takes them over)")
                : new Step(true, "systemctl --user could not stop it (" + off.firstErrorLine() + "); if it runs, stop it in a login session: systemctl --user disable --now " + UNIT));
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file + ": " + e.getMessage(), e);
        }
        commands.run(List.of("systemctl", "--user", "daemon-reload"), 30);
        steps.add(new Step(true, "removed " + file));
        return steps;
    }

    /** Whether it is installed (and current), enabled, running, and whether it outlives the login. */
    public List<Step> status(Plan plan) {
        List<Step> steps = new ArrayList<>();
        Path file = unitFile();
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            steps.add(new Step(false, "not installed: ./burrow service install keeps Burrow serving after this shell ends"));
            return steps;
        }
        String current;
        try {
            current = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        steps.add(current.equals(unitText(plan)) ? new Step(true, "installed: " + file)
                : new Step(false, "installed: " + file + ", with other settings than this shell's; ./burrow service install updates it"));
        ExecResult enabled = commands.run(List.of("systemctl", "--user", "is-enabled", UNIT), 15);
        ExecResult active = commands.run(List.of("systemctl", "--user", "is-active", UNIT), 15);
        String e = enabled.stdout().strip();
        String a = active.stdout().strip();
        if (e.isEmpty() && a.isEmpty()) {
            steps.add(new Step(false, "systemctl --user cannot tell whether it runs (" + enabled.firstErrorLine() + "); ask in a login session of this user"));
        } else {
            steps.add(new Step(e.equals("enabled") && a.equals("active"), "enabled: " + (e.isEmpty() ? "unknown" : e) + ", running: " + (a.isEmpty() ? "unknown" : a)));
        }
        steps.add(linger());
        return steps;
    }

    /** Linger: without it, systemd stops the user's services when the user's last login session ends. */
    public Step linger() {
        String user = System.getProperty("user.name");
        ExecResult r = commands.run(List.of("loginctl", "show-user", user, "--property=Linger", "--value"), 15);
        String v = r.stdout().strip();
        if (v.equals("yes")) return new Step(true, "linger is on for " + user + ": Burrow keeps running after you log out, and starts at boot");
        if (v.equals("no")) {
            return new Step(false, "linger is off for " + user + ": the service stops when you log out; to keep it running (and start it at boot): sudo loginctl enable-linger " + user);
        }
        return new Step(false, "cannot tell whether linger is on (" + r.firstErrorLine() + "); to keep the service running after you log out: sudo loginctl enable-linger " + user);
    }

    /** Secrets set in this shell go to burrow.properties (0600), where serve reads them; a key already there is left alone. */
    private List<Step> keepSecrets(Plan plan) {
        List<Step> steps = new ArrayList<>();
        Path props = plan.dataDir().resolve("burrow.properties");
        Properties existing = new Properties();
        try {
            if (Files.isRegularFile(props, LinkOption.NOFOLLOW_LINKS)) {
                try (var r = Files.newBufferedReader(props)) {
                    existing.load(r);
                }
            }
            StringBuilder add = new StringBuilder();
            for (String name : List.of("ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN", "BURROW_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN")) {
                String value = plan.env().get(name);
                String key = SECRETS.get(name);
                if (value == null || value.isBlank() || existing.containsKey(key)) continue;
                Properties one = new Properties();
                one.setProperty(key, value);
                StringWriter w = new StringWriter();
                one.store(w, null);
                w.toString().lines().filter(l -> !l.startsWith("#")).forEach(l -> add.append(l).append('\n'));
                existing.setProperty(key, value);
                steps.add(new Step(true, name + " is a secret: kept in " + props + " (0600) as " + key + ", not in the unit"));
            }
            if (!add.isEmpty()) {
                String before = Files.isRegularFile(props, LinkOption.NOFOLLOW_LINKS) ? Files.readString(props) : "";
                PrivateFiles.write(props, before + (before.isEmpty() || before.endsWith("\n") ? "" : "\n") + add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the secrets in " + props + ": " + e.getMessage(), e);
        }
        return steps;
    }
}
