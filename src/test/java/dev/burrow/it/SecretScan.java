package dev.burrow.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.Burrow;
import dev.burrow.session.Session;
import dev.burrow.store.StoredEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Proof that a secret is nowhere a session's container can see, nor in what Burrow stored of it. */
final class SecretScan {
    private SecretScan() {
    }

    /**
     * The secret is in none of: podman inspect, the environment and command line of every
     * process in the container (read as the agent and as root), the files its writable layer
     * changed (podman diff), every mount (workspace, home with the Claude dir and caches, run
     * dir, secrets dir, net dir), the event store and the database. The same scan finds the
     * session's placeholder (read from its secrets dir on the host) where it is.
     */
    static void assertNowhereInTheBox(Burrow burrow, Session s, String secret, Path dataDir) throws Exception {
        String id = s.containerId();
        assertThat(TestEnv.podman("inspect", id)).contains("burrow.session").doesNotContain(secret);
        List<String> changed = new ArrayList<>();
        for (String line : TestEnv.podman("diff", id).lines().toList()) {
            String path = line.length() > 2 ? line.substring(2).strip() : "";
            if (path.startsWith("/") && !path.startsWith("/proc") && !path.startsWith("/sys") && !path.startsWith("/dev")) changed.add(path);
        }
        assertThat(changed).as("podman diff").isNotEmpty();
        // As the agent (whose processes' environments root in the container may not read) and as root.
        assertThat(scan(id, "agent", changed, secret)).as("the in-container scan as the agent").isEqualTo("0\nscan-end\n");
        assertThat(scan(id, "root", changed, secret)).as("the in-container scan as root").isEqualTo("0\nscan-end\n");
        StringBuilder secrets = new StringBuilder();
        try (var files = Files.list(s.secretsDir())) {
            for (Path f : files.toList()) secrets.append(Files.readString(f));
        }
        Path login = s.claudeConfig().resolve(".credentials.json");
        if (Files.isRegularFile(login)) secrets.append(Files.readString(login));
        String placeholder = secrets.toString().replaceAll("(?s).*?(burrow-session-[A-Za-z0-9_-]{43}).*", "$1");
        assertThat(placeholder).startsWith("burrow-session-");
        assertThat(scan(id, "agent", changed, placeholder)).containsAnyOf("/run/burrow-secrets/", "/home/agent/.claude/.credentials.json");
        for (StoredEvent e : burrow.sessions().events(s.id(), 0)) assertThat(e.event().toString()).doesNotContain(secret);
        burrow.sessions().stop(s.id());
        for (String f : List.of("burrow.db", "burrow.db-wal")) {
            Path db = dataDir.resolve(f);
            if (Files.exists(db)) assertThat(new String(Files.readAllBytes(db), StandardCharsets.ISO_8859_1)).as(f).doesNotContain(secret);
        }
    }

    /**
     * Looks for {@code text} in the container: the environment and command line of every process,
     * then the files of {@code paths} and of every mount. The text goes to the scan on its stdin,
     * never in an argument the container could keep, and the processes are read before any of
     * them has it in its own command line.
     */
    static String scan(String container, String user, List<String> paths, String text) throws Exception {
        String script = "read -r s; cat /proc/[0-9]*/environ /proc/[0-9]*/cmdline > /tmp/scan-procs-$$ 2>/dev/null; "
                + "grep -c -F -e \"$s\" /tmp/scan-procs-$$; rm -f /tmp/scan-procs-$$; "
                + "while read -r p; do printf '%s\\n' \"$p\"; done > /tmp/scan-paths-$$; "
                + "xargs -a /tmp/scan-paths-$$ -d '\\n' grep -r -F -l -s -e \"$s\" /workspace /home/agent /run/burrow /run/burrow-secrets /run/burrow-net /tmp; "
                + "rm -f /tmp/scan-paths-$$; echo scan-end";
        Process p = new ProcessBuilder("podman", "exec", "-i", "--user", user, container, "sh", "-c", script).redirectErrorStream(true).start();
        p.getOutputStream().write((text + "\n" + String.join("\n", paths) + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        p.waitFor();
        return out.toString(StandardCharsets.UTF_8);
    }
}
