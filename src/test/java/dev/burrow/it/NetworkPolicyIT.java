package dev.burrow.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.Burrow;
import dev.burrow.agent.AgentEvent;
import dev.burrow.bench.ScriptedModel;
import dev.burrow.container.Allowlist;
import dev.burrow.container.NetworkPolicy;
import dev.burrow.session.NewSession;
import dev.burrow.session.Session;
import dev.burrow.session.SessionState;
import dev.burrow.store.StoredEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The network policies, end to end: the real Claude Code runs curl and Java with its Bash tool
 * in a container that has no network of its own, reaching out only through the session's
 * egress proxy (the model API included, or no turn would run at all).
 */
class NetworkPolicyIT {
    @TempDir
    Path tmp;
    ScriptedModel model;
    Burrow burrow;

    @BeforeEach
    void start() throws Exception {
        TestEnv.requireContainers();
        model = new ScriptedModel();
        burrow = Burrow.start(TestEnv.config(tmp.resolve("data"), model).withNetwork(NetworkPolicy.FULL, Allowlist.parse("registry.npmjs.org")));
    }

    @AfterEach
    void stop() {
        TestEnv.stopLive(burrow);
        burrow.close();
        model.close();
    }

    /**
     * Opens a tunnel to registry.npmjs.org through the proxy and starts TLS asking for another
     * name, then its own: "closed" is the proxy's doing; a server's answer, or its alert, is not.
     */
    private static final String SNI_PROBE = """
            import socket, ssl
            def tunnel(host, sni):
                s = socket.create_connection(("127.0.0.1", 3128), timeout=10)
                s.sendall(("CONNECT %s:443 HTTP/1.1\\r\\nHost: %s:443\\r\\n\\r\\n" % (host, host)).encode())
                s.recv(1024)
                try:
                    # Unverified: whether the server would answer, not whom it proves to be.
                    ssl._create_unverified_context().wrap_socket(s, server_hostname=sni).close()
                    return "handshake"
                except (ssl.SSLEOFError, ssl.SSLZeroReturnError):
                    return "closed"
                except ssl.SSLError as e:
                    return "server-answered " + str(e)
                except OSError:
                    return "closed"
            print("sni-other=" + tunnel("registry.npmjs.org", "www.npmjs.com"))
            print("sni-same=" + tunnel("registry.npmjs.org", "registry.npmjs.org"))
            """;

    private Session bash(NetworkPolicy policy, String command) throws Exception {
        Path repo = TestEnv.repo(tmp.resolve("repo-" + System.nanoTime()));
        Files.writeString(repo.resolve("Fetch.java"), """
                public class Fetch {
                    public static void main(String[] a) throws Exception {
                        var c = (java.net.HttpURLConnection) java.net.URI.create(a[0]).toURL().openConnection();
                        System.out.println("java=" + c.getResponseCode());
                    }
                }
                """);
        TestEnv.git(repo, "add", ".");
        TestEnv.git(repo, "-c", "user.name=T", "-c", "user.email=t@t", "commit", "-q", "-m", "fetch");
        Session s = burrow.sessions().create(new NewSession(repo.toString(), null, "BASH: " + command, null, null, policy), p -> { });
        Eventually.await(Duration.ofSeconds(120), "the command's turn to end", () -> {
            SessionState st = burrow.sessions().get(s.id()).state();
            return st != SessionState.RUNNING && st != SessionState.CREATING;
        });
        return burrow.sessions().get(s.id());
    }

    private String toolOutput(Session s) {
        StringBuilder out = new StringBuilder();
        for (StoredEvent e : burrow.sessions().events(s.id(), 0)) {
            if (e.event() instanceof AgentEvent.ToolResults r) out.append(r.message().toString());
        }
        return out.toString();
    }

    @Test
    void underTheAllowlistAListedHostAnswersAndAnUnlistedOneIsRefused() throws Exception {
        Session s = bash(NetworkPolicy.ALLOWLIST, "curl -sS -o /dev/null -w 'listed=%{http_code} ' https://registry.npmjs.org/is-number; "
                + "curl -sS -o /dev/null https://deb.debian.org/debian/ 2>&1 | head -c 120; echo; "
                + "curl -sS --noproxy '*' -m 5 -o /dev/null https://registry.npmjs.org/ 2>&1 | head -c 80; echo; "
                + "java /workspace/Fetch.java https://registry.npmjs.org/is-number 2>&1 | grep -v Picked; "
                + "sudo sh -c 'echo sudo-keeps=$https_proxy'; grep -c 3128 ~/.m2/settings.xml ~/.gradle/gradle.properties; "
                + "echo npm-view=$(npm view is-number@7.0.0 version 2>&1 | tail -1); "
                // Another port of a listed host, and TLS to a listed host's address asking for another site (SNI).
                + "curl -sS http://registry.npmjs.org:8080/ 2>&1 | head -c 200; echo; "
                + "echo " + java.util.Base64.getEncoder().encodeToString(SNI_PROBE.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                + " | base64 -d | python3");
        String out = toolOutput(s);
        assertThat(out).contains("listed=200");
        assertThat(out).contains("CONNECT tunnel failed, response 403");
        // Around the proxy there is no network at all.
        assertThat(out).contains("Could not resolve host");
        // Java ignores https_proxy; the JVM's own proxy properties take it through.
        assertThat(out).contains("java=200");
        assertThat(out).contains("sudo-keeps=http://127.0.0.1:3128", "settings.xml:2", "gradle.properties:2");
        // npm finds the proxy in the environment too.
        assertThat(out).contains("npm-view=7.0.0");
        assertThat(out).contains("burrow refused registry.npmjs.org: port 8080 is not allowed");
        assertThat(out).contains("sni-other=closed", "sni-same=handshake");
        assertThat(s.network()).isEqualTo(NetworkPolicy.ALLOWLIST);
        String inspect = TestEnv.podman("inspect", "--format", "{{.HostConfig.NetworkMode}} {{range .Mounts}}{{.Destination}} {{end}}", s.containerId());
        // The Podman socket is there too: its containers share this network (PodmanSocketIT).
        assertThat(inspect).startsWith("none").contains("/run/burrow-net", "/run/podman");
    }

    @Test
    void underNoneOnlyTheModelApiIsReachable() throws Exception {
        Session s = bash(NetworkPolicy.NONE, "curl -sS -o /dev/null https://registry.npmjs.org/is-number 2>&1 | head -c 120; echo; "
                + "curl -sS http://registry.npmjs.org/is-number 2>&1 | head -c 200");
        String out = toolOutput(s);
        assertThat(out).contains("CONNECT tunnel failed, response 403");
        assertThat(out).contains("burrow refused registry.npmjs.org: this session's network policy is none");
        assertThat(model.requests()).isNotEmpty();
        assertThat(burrow.sessions().get(s.id()).state()).isEqualTo(SessionState.IDLE);
    }

    @Test
    void underFullTheHostsLoopbackServicesAreOutOfReachWhileTheLoopbackModelIsForwarded() throws Exception {
        // A service on the host's loopback, as Burrow's own port, a database or a dev server would be.
        java.util.concurrent.atomic.AtomicInteger hits = new java.util.concurrent.atomic.AtomicInteger();
        com.sun.net.httpserver.HttpServer service = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        service.createContext("/", x -> {
            hits.incrementAndGet();
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        service.start();
        try {
            int port = service.getAddress().getPort();
            Session s = bash(NetworkPolicy.FULL, "for h in 10.0.2.2 host.containers.internal host.docker.internal 127.0.0.1 localhost; do "
                    + "curl -sS -m 5 -o /dev/null -w \"$h=%{http_code} \" http://$h:" + port + "/ 2>&1 | head -c 200; echo; done");
            assertThat(burrow.sessions().get(s.id()).state()).isEqualTo(SessionState.IDLE); // the model, on loopback, answered
            assertThat(hits).as("requests that reached the host's loopback service").hasValue(0);
            assertThat(toolOutput(s)).contains("10.0.2.2=000");
            String inspect = TestEnv.podman("inspect", "--format", "{{.HostConfig.NetworkMode}} {{range .Mounts}}{{.Destination}} {{end}}", s.containerId());
            assertThat(inspect).doesNotContain("allow_host_loopback").contains("/run/burrow-net");
        } finally {
            service.stop(0);
        }
    }

    @Test
    void underTheAllowlistThisMachineAndPrivateAddressesStayOutOfReachEvenWhenListed() throws Exception {
        // The allowlist names this machine's own address and a private one, as a wildcard plus DNS could.
        String own = TestEnv.machineAddress();
        burrow.close();
        burrow = Burrow.start(TestEnv.config(tmp.resolve("data-private"), model).withNetwork(NetworkPolicy.FULL, Allowlist.parse(own + ",10.255.255.1")));
        Session s = bash(NetworkPolicy.ALLOWLIST, "curl -sS -m 10 http://" + own + "/ 2>&1 | head -c 200; echo; curl -sS -m 10 http://10.255.255.1/ 2>&1 | head -c 200");
        String out = toolOutput(s);
        assertThat(out).contains("burrow refused " + own + ": it is this machine");
        assertThat(out).contains("burrow refused 10.255.255.1: it is a private address");
    }

    /** A probe that says whether a raw TCP connection (no HTTP) to HOST:PORT reached a server, as python prints it. */
    /** A listener on every address of this machine that greets each connection with raw-hello and counts them. */
    private static final class Greeter implements AutoCloseable {
        final java.net.ServerSocket server;
        final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();

        Greeter() throws java.io.IOException {
            server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("0.0.0.0"));
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try (var c = server.accept()) {
                        accepted.incrementAndGet();
                        c.getOutputStream().write("raw-hello\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
        }

        @Override
        public void close() throws java.io.IOException {
            server.close();
        }
    }

    private static String tcpProbe(String host, int port) {
        String py = "import socket\ntry:\n    s = socket.create_connection(('%s', %d), 5)\n    print('reached ' + s.recv(20).decode().strip())\n"
                .formatted(host, port) + "except Exception as e:\n    print('refused ' + type(e).__name__)\n";
        return java.util.Base64.getEncoder().encodeToString(py.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void underFullThisMachineAndPrivateAddressesAreOutOfReachForEveryProtocolUnlessAllowed() throws Exception {
        String own = TestEnv.machineAddress();
        try (var greeter = new Greeter()) {
            var server = greeter.server;
            var accepted = greeter.accepted;
            String image = burrow.sessions().runnerImage();
            String probe = tcpProbe(own, server.getLocalPort());
            String privateProbe = tcpProbe("10.255.255.1", 80);
            String command = "echo agent-$(echo " + probe + " | base64 -d | python3); echo private-$(echo " + privateProbe + " | base64 -d | python3); "
                    + "echo sibling-$(podman run --rm " + image + " sh -c 'echo " + probe + " | base64 -d | python3'); "
                    + "echo bounding-$(sudo grep CapBnd /proc/self/status | cut -f2)";
            String out = toolOutput(bash(NetworkPolicy.FULL, command));
            // Rejected at once (a reset), by rules the agent has no capability to change (NET_ADMIN is bit 12).
            assertThat(out).contains("agent-refused ConnectionRefusedError", "private-refused ConnectionRefusedError", "sibling-refused ConnectionRefusedError");
            var bounding = java.util.regex.Pattern.compile("bounding-([0-9a-f]{16})").matcher(out);
            assertThat(bounding.find()).isTrue();
            assertThat(Long.parseLong(bounding.group(1), 16) & (1L << 12)).as("CAP_NET_ADMIN in the bounding set").isZero();
            assertThat(accepted.get()).isZero();

            // A range the user allows is reached, over plain TCP.
            burrow.close();
            burrow = Burrow.start(TestEnv.config(tmp.resolve("data-allowed"), model).withNetwork(NetworkPolicy.FULL, Allowlist.DEFAULT)
                    .withAllowedPrivate(dev.burrow.container.PrivateAddresses.parse(own + "/32")));
            String allowed = toolOutput(bash(NetworkPolicy.FULL, "echo agent-$(echo " + probe + " | base64 -d | python3)"));
            assertThat(allowed).contains("agent-reached raw-hello");
            assertThat(accepted.get()).isEqualTo(1);
        }
    }

    /**
     * The guard under full holds against root wherever the session can be root: the agent with
     * sudo, a root sibling in the session's network, and a build's RUN step, each with the host's
     * nft, ip and iptables brought along. A root sibling once owned the guard: the session's network
     * belonged to the session container's user namespace, whose owner is root of Podman's.
     */
    @Test
    void underFullNeitherTheAgentNorARootSiblingNorABuildStepCanLiftTheGuard() throws Exception {
        String own = TestEnv.machineAddress();
        try (var greeter = new Greeter()) {
            var server = greeter.server;
            var accepted = greeter.accepted;
            String image = burrow.sessions().runnerImage();
            Path repo = TestEnv.repo(tmp.resolve("repo-tools"));
            Path tools = Files.createDirectories(repo.resolve("t"));
            for (String tool : java.util.List.of("/usr/sbin/nft", "/usr/sbin/ip", "/usr/sbin/iptables")) bringAlong(Path.of(tool), tools);
            try (var script = NetworkPolicyIT.class.getResourceAsStream("/network/try-the-guard.sh");
                 var take = NetworkPolicyIT.class.getResourceAsStream("/network/take-namespaces.py")) {
                Files.write(tools.resolve("try.sh"), script.readAllBytes());
                Files.write(tools.resolve("take.py"), take.readAllBytes());
            }
            String probe = tcpProbe(own, server.getLocalPort());
            Files.writeString(repo.resolve("Containerfile.attack"), "FROM " + image + "\nUSER root\nCOPY t /t\nRUN bash /t/try.sh build /t " + probe
                    + " && getent hosts deb.debian.org >/dev/null && echo build-dns-works\n");
            TestEnv.git(repo, "add", ".");
            TestEnv.git(repo, "-c", "user.name=T", "-c", "user.email=t@t", "commit", "-q", "-m", "tools");
            String command = "sudo bash t/try.sh agent /workspace/t " + probe + "; "
                    + "podman run --rm -u 0 -v /workspace/t:/t:ro " + image + " bash /t/try.sh sibling /t " + probe + "; "
                    + "podman build --no-cache -f Containerfile.attack -t attack-build /workspace 2>&1 | grep -E '^(attack|probe|build-dns)'; "
                    // The red team's way: the agent hands its namespaces to a root sibling with a network of its own.
                    + "(python3 t/take.py serve /workspace/fd.sock &) ; sleep 1; podman run --rm --network none -u 0 -v /workspace:/w " + image
                    + " python3 /w/t/take.py take /w/fd.sock /w/t " + probe + " none-sibling; "
                    + "echo after-$(echo " + probe + " | base64 -d | python3)";
            Session s = burrow.sessions().create(new NewSession(repo.toString(), null, "BASH: " + command, null, null, NetworkPolicy.FULL), p -> { });
            Eventually.await(Duration.ofSeconds(240), "the attack's turn to end", () -> {
                SessionState st = burrow.sessions().get(s.id()).state();
                return st != SessionState.RUNNING && st != SessionState.CREATING;
            });
            String out = toolOutput(burrow.sessions().get(s.id())).replace("\\n", "\n");
            var attack = java.util.regex.Pattern.compile("attack:(agent|sibling|build|none-sibling):([a-z-]+):(\\d+)").matcher(out);
            java.util.Set<String> tried = new java.util.TreeSet<>();
            while (attack.find()) {
                assertThat(attack.group(3)).as(attack.group(1) + " " + attack.group(2) + " failed").isNotEqualTo("0");
                tried.add(attack.group(1) + ":" + attack.group(2));
            }
            assertThat(tried).as(out).hasSize(16);
            // The sibling is in the session's user namespace already, with no capability to enter its network.
            assertThat(out).contains("setns-net:", "probe:none-sibling:refused").doesNotContain("setns-net:0");
            assertThat(out).contains("probe:agent:refused ConnectionRefusedError", "probe:sibling:refused ConnectionRefusedError",
                    "probe:build:refused ConnectionRefusedError", "after-refused ConnectionRefusedError", "build-dns-works");
            assertThat(accepted.get()).isZero();
            burrow.sessions().delete(s.id()); // and its image
        }
    }

    /** Copies a host binary and the libraries it loads (all but the C library, which the image has) into {@code dir}. */
    private static void bringAlong(Path binary, Path dir) throws Exception {
        Path real = binary.toRealPath();
        Files.copy(real, dir.resolve(binary.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Process ldd = new ProcessBuilder("ldd", real.toString()).redirectErrorStream(true).start();
        String libs = new String(ldd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(ldd.waitFor()).as("ldd " + real).isZero();
        var lib = java.util.regex.Pattern.compile("=> (/\\S+)").matcher(libs);
        while (lib.find()) {
            Path l = Path.of(lib.group(1));
            if (l.getFileName().toString().startsWith("libc.so")) continue;
            Files.copy(l.toRealPath(), dir.resolve(l.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void underFullAModelEndpointOnTheUsersOwnNetworkIsReachedThroughTheGatewayAlone() throws Exception {
        // The model API at this machine's own (non-loopback) address, as a gateway on the LAN would be: a relay to the scripted model.
        String own = TestEnv.machineAddress();
        int modelPort = java.net.URI.create(model.baseUrl()).getPort();
        try (var relay = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName(own))) {
            Thread.ofVirtual().start(() -> {
                while (!relay.isClosed()) {
                    try {
                        var in = relay.accept();
                        var out = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), modelPort);
                        Thread.ofVirtual().start(() -> pipe(in, out));
                        Thread.ofVirtual().start(() -> pipe(out, in));
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            burrow.close();
            burrow = Burrow.start(TestEnv.config(tmp.resolve("data-lan-model"), model).withBaseUrl("http://" + own + ":" + relay.getLocalPort())
                    .withNetwork(NetworkPolicy.FULL, Allowlist.DEFAULT));
            // The session's gateway reaches it from the host; the container itself has no way to it.
            Session s = bash(NetworkPolicy.FULL, "echo model-reached; curl -sS -m 5 -o /dev/null -w direct=%{http_code} http://" + own + ":"
                    + relay.getLocalPort() + "/v1/messages 2>&1 | tail -c 80");
            assertThat(toolOutput(s)).contains("model-reached").contains("direct=000");
            assertThat(burrow.sessions().get(s.id()).state()).isEqualTo(SessionState.IDLE);
        }
    }

    private static void pipe(java.net.Socket from, java.net.Socket to) {
        try (from; to) {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (java.io.IOException ignored) {
            // either side closed
        }
    }
}
