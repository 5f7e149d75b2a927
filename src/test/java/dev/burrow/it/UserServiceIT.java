package dev.burrow.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code burrow service}, run as the real CLI into a temporary XDG_CONFIG_HOME: the unit it
 * writes (checked by systemd-analyze), secrets kept out of it, and install and uninstall done
 * twice. This machine has no systemd user session: enabling fails, and the test checks that
 * it says what to run instead.
 */
class UserServiceIT {
    private static final String SECRET = "sk-ant-api03-service-test-secret-0123456789";
    @TempDir
    Path tmp;
    Map<String, String> env;
    Path unit;

    @BeforeEach
    void setUp() {
        env = new HashMap<>();
        env.put("BURROW_DATA_DIR", tmp.resolve("data").toString());
        env.put("XDG_CONFIG_HOME", tmp.resolve("config").toString());
        env.put("ANTHROPIC_API_KEY", SECRET);
        env.put("BURROW_MAX_STARTS", "3");
        unit = tmp.resolve("config/systemd/user/burrow.service");
    }

    @Test
    void installWritesAUnitSystemdAcceptsWithoutSecretsAndInstallAndUninstallCanBeRunTwice() throws Exception {
        BurrowProcess.Result first = BurrowProcess.run(env, "service", "install", "--no-enable", "--bind", "tailscale", "--trusted-proxy", "127.0.0.1");
        assertThat(first.exitCode()).as(first.stderr()).isZero();
        assertThat(first.stdout()).contains("wrote " + unit, "ANTHROPIC_API_KEY is a secret: kept in " + tmp.resolve("data/burrow.properties"));

        String text = Files.readString(unit);
        Path launcher = BurrowProcess.jar().getParent().getParent().resolve("burrow");
        assertThat(text).contains("ExecStart=\"" + launcher + "\" serve \"--bind\" \"tailscale\" \"--trusted-proxy\" \"127.0.0.1\"\n",
                "WorkingDirectory=" + launcher.getParent() + "\n", "Environment=\"JAVA_HOME=", "Environment=\"BURROW_MAX_STARTS=3\"",
                "Environment=\"BURROW_DATA_DIR=" + tmp.resolve("data") + "\"", "Restart=on-failure\n", "KillMode=process\n",
                "StandardOutput=journal\n", "WantedBy=default.target\n");
        assertThat(text).doesNotContain(SECRET, "ANTHROPIC_API_KEY");
        Path props = tmp.resolve("data/burrow.properties");
        assertThat(Files.readString(props)).contains("anthropic.api_key=" + SECRET);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(props))).isEqualTo("rw-------");

        // systemd itself reads the unit (as the user manager would).
        Path runtime = Files.createDirectories(tmp.resolve("runtime"));
        ProcessBuilder pb = new ProcessBuilder("systemd-analyze", "--user", "verify", unit.toString()).redirectErrorStream(true).directory(tmp.toFile());
        pb.environment().put("XDG_RUNTIME_DIR", runtime.toString());
        Process checked = pb.start();
        String said = new String(checked.getInputStream().readAllBytes());
        assertThat(checked.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(checked.exitValue()).as(said).isZero();
        assertThat(said).doesNotContain("burrow.service");

        // Again with the same settings: nothing changes; the secret is not written twice.
        BurrowProcess.Result again = BurrowProcess.run(env, "service", "install", "--no-enable", "--bind", "tailscale", "--trusted-proxy", "127.0.0.1");
        assertThat(again.stdout()).contains("already installed, unchanged").doesNotContain("is a secret");
        assertThat(Files.readString(unit)).isEqualTo(text);
        assertThat(Files.readString(props).split("anthropic.api_key", -1)).hasSize(2);

        // Enabling needs the user's systemd, which this machine does not run for the test user: it says what to do.
        BurrowProcess.Result enable = BurrowProcess.run(env, "service", "install", "--bind", "tailscale", "--trusted-proxy", "127.0.0.1");
        assertThat(enable.exitCode()).isEqualTo(1);
        assertThat(enable.stdout()).contains("could not enable", "systemctl --user daemon-reload && systemctl --user enable --now burrow.service",
                "loginctl enable-linger");
        BurrowProcess.Result status = BurrowProcess.run(env, "service", "status", "--bind", "tailscale", "--trusted-proxy", "127.0.0.1");
        assertThat(status.stdout()).contains("installed: " + unit).doesNotContain("other settings");
        assertThat(BurrowProcess.run(env, "service", "status").stdout()).contains("with other settings than this shell's");

        BurrowProcess.Result removed = BurrowProcess.run(env, "service", "uninstall");
        assertThat(removed.exitCode()).isZero();
        assertThat(removed.stdout()).contains("removed " + unit);
        assertThat(unit).doesNotExist();
        assertThat(BurrowProcess.run(env, "service", "uninstall").stdout()).contains("not installed", "nothing to do");
        assertThat(BurrowProcess.run(env, "service", "status").stdout()).contains("not installed");
    }
}
