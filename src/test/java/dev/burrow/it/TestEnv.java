package dev.burrow.it;

import dev.burrow.credentials.CredentialSettings;
import static org.assertj.core.api.Assertions.fail;

import dev.burrow.Burrow;
import dev.burrow.bench.ScriptedModel;
import dev.burrow.config.Config;
import dev.burrow.container.PodmanCli;
import dev.burrow.container.ProcessRunner;
import dev.burrow.container.RunnerImage;
import dev.burrow.host.Doctor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What the container-backed tests share: a scripted model on loopback, a data dir, and a
 * check that this machine can run containers at all. When it cannot, the tests fail with
 * the doctor's report; they are never skipped.
 */
final class TestEnv {
    private static volatile boolean checked;

    private TestEnv() {
    }

    static void requireContainers() {
        if (checked) return;
        synchronized (TestEnv.class) {
            if (checked) return;
            Config c = Config.load(System.getenv(), Path.of(System.getProperty("java.io.tmpdir"), "burrow-doctor"));
            List<Doctor.Check> checks = new Doctor(c, new PodmanCli(ProcessRunner.SYSTEM), RunnerImage.fromClasspath().tag()).run();
            if (checks.stream().anyMatch(x -> x.required() && !x.ok())) {
                fail("this machine cannot run Burrow's containers; ./burrow doctor says:\n"
                        + checks.stream().map(Doctor.Check::line).collect(Collectors.joining("\n")));
            }
            checked = true;
        }
    }

    static Config config(Path dataDir, ScriptedModel model) {
        return Config.defaults(dataDir).withBaseUrl(model.baseUrl()).withCredentials(CredentialSettings.of("test-key-0123456789abcdefghij", ""))
                .withIdleTimeout(Duration.ofMinutes(10)).withGitIdentity("Burrow Test", "test@burrow.invalid").withListen("127.0.0.1", 0)
                // One set of caches for the whole suite: a set per repository would be a dozen volumes per test.
                .withCacheScope(dev.burrow.container.Caches.Scope.GLOBAL)
                // Warm containers only where a test asks for them: they would start beside every other test's sessions.
                .withWarm(0);
    }

    static Burrow burrow(Path dataDir, ScriptedModel model) {
        requireContainers();
        return Burrow.start(config(dataDir, model));
    }

    /** A git repository with one commit on main. */
    static Path repo(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("README.md"), "# test repo\n");
        git(dir, "init", "--quiet", "--initial-branch=main");
        git(dir, "add", ".");
        git(dir, "-c", "user.name=T", "-c", "user.email=t@t.invalid", "commit", "--quiet", "-m", "init");
        return dir;
    }

    static String git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> argv = new java.util.ArrayList<>(List.of("git", "-C", dir.toString()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (p.waitFor() != 0) throw new IOException(String.join(" ", argv) + ": " + out);
        return out;
    }

    /** An IPv4 address of this machine besides loopback (what a session must not reach). */
    static String machineAddress() throws java.net.SocketException {
        String own = null;
        for (var ni : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            for (var a : java.util.Collections.list(ni.getInetAddresses())) {
                if (a instanceof java.net.Inet4Address && !a.isLoopbackAddress()) own = a.getHostAddress();
            }
        }
        if (own == null) throw new IllegalStateException("this machine has no address besides loopback");
        return own;
    }

    /**
     * A server's TLS context with a certificate for {@code host} signed by a test CA made in
     * {@code caDir} (its certificate in caDir/ca.crt, for BURROW_UPSTREAM_CA): not Burrow's own CA.
     */
    static javax.net.ssl.SSLContext testCaServer(Path caDir, String host) throws Exception {
        dev.burrow.gateway.BurrowCa.Leaf leaf = dev.burrow.gateway.BurrowCa.loadOrCreate(caDir).leaf(host);
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("leaf", leaf.key(), new char[0], leaf.chain());
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        return tls;
    }

    /** podman's exit status for these arguments. */
    static int podmanStatus(String... args) throws IOException, InterruptedException {
        List<String> argv = new java.util.ArrayList<>(List.of("podman"));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor();
    }

    static String podman(String... args) throws IOException, InterruptedException {
        List<String> argv = new java.util.ArrayList<>(List.of("podman"));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        p.waitFor();
        return out;
    }

    /** The exit status of a podman command (its output dropped). */
    static int podmanExit(String... args) throws IOException, InterruptedException {
        List<String> argv = new java.util.ArrayList<>(List.of("podman"));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor();
    }

    /** Stops the sessions a test left running, so that no container outlives it. */
    static void stopLive(Burrow burrow) {
        for (dev.burrow.session.Session s : burrow.sessions().list()) {
            if (s.state().live()) burrow.sessions().stop(s.id());
        }
    }
}
