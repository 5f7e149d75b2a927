package dev.burrow.siblings;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.container.NetworkPolicy;
import dev.burrow.container.PrivateAddresses;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The session's Podman socket against a stand-in Podman: framing, routes, ownership and the rewrites of what passes. */
class SiblingSocketTest {
    @TempDir
    Path tmp;
    StandInPodman podman;
    SiblingSocket socket;
    Path workspace;
    final PinsTest.Binds binds = new PinsTest.Binds();

    @BeforeEach
    void start() throws Exception {
        podman = new StandInPodman(tmp.resolve("up.sock"));
        workspace = Files.createDirectories(tmp.resolve("ws"));
        Files.createDirectories(workspace.resolve("sub"));
        Files.createSymbolicLink(workspace.resolve("link"), Path.of("/etc"));
        start(NetworkPolicy.FULL);
    }

    private void start(NetworkPolicy policy) throws Exception {
        if (socket != null) socket.close();
        SessionBox box = new SessionBox("s1", () -> Optional.of(StandInPodman.SESSION_CONTAINER), workspace, policy, h -> h.equals("quay.io"),
                PrivateAddresses.NONE_ALLOWED, policy.proxied() ? Map.of("HTTPS_PROXY", "http://127.0.0.1:3128") : Map.of(), List.of("/dev/nvidia0"),
                new Pins(PinsTest.engine(binds), tmp.resolve("pins")), () -> StandInPodman.BUILD_NETWORK);
        socket = SiblingSocket.start(box, tmp.resolve("p/podman.sock"), () -> Optional.of(tmp.resolve("up.sock")));
    }

    @AfterEach
    void stop() throws Exception {
        socket.close();
        podman.close();
    }

    private String send(String request) throws Exception {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(tmp.resolve("p/podman.sock")))) {
            Channels.newOutputStream(c).write(request.getBytes(StandardCharsets.UTF_8));
            c.shutdownOutput();
            return new String(Channels.newInputStream(c).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String post(String path, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: d\r\n\r\n";
    }

    @Test
    void aQuietStreamWhoseClientWentAwayIsClosedOnPodmansSideToo() throws Exception {
        java.time.Duration was = SiblingSocket.goneGrace;
        SiblingSocket.goneGrace = java.time.Duration.ofMillis(300);
        try {
            try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(tmp.resolve("p/podman.sock")))) {
                Channels.newOutputStream(c).write(get("/v1.41/events").getBytes(StandardCharsets.UTF_8));
                byte[] head = new byte[15];
                Channels.newInputStream(c).readNBytes(head, 0, head.length);
                assertThat(new String(head, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200");
            } // the client goes away; Podman's stream stays quiet
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!podman.received.contains("events stream closed") && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(podman.received).as("Podman's side of a stream nobody reads any more").contains("events stream closed");
        } finally {
            SiblingSocket.goneGrace = was;
        }
    }

    @Test
    void malformedFramingIsRefusedBeforeAnythingReachesPodman() throws Exception {
        String create = "{\"image\":\"x\"}";
        List<String> malformed = List.of(
                "GET /_ping HTTP/1.1\nHost: d\n\n",                                                      // bare LF
                "GET /_ping HTTP/1.1\r\nHost: d\r\n X-Folded: yes\r\n\r\n",                             // obs-fold
                "POST /libpod/containers/create HTTP/1.1\r\nContent-Length: 13\r\nContent-Length: 13\r\n\r\n" + create,
                "POST /libpod/containers/create HTTP/1.1\r\nContent-Length: 13\r\nTransfer-Encoding: chunked\r\n\r\nd\r\n" + create + "\r\n0\r\n\r\n",
                "POST /libpod/containers/create HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
                "POST /libpod/containers/create HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nd;ext=1\r\n" + create + "\r\n0\r\n\r\n",
                "POST /libpod/containers/create HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" + create + "\r\n0\r\n\r\n",
                "POST /libpod/containers/create HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nd\r\n" + create + "0\r\n\r\n",
                "POST /libpod/containers/create HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nd\r\n" + create + "\r\n0\r\nX-Trailer: 1\r\n\r\n",
                "POST /libpod/containers/create HTTP/1.1\r\nContent-Length: +13\r\n\r\n" + create,
                "GET /_ping HTTP/1.1\r\nHost : d\r\n\r\n",                                                // space before the colon
                "GET /_ping HTTP/1.1\rHost: d\r\n\r\n",                                                  // CR without LF
                "GET /_ping HTTP/1.0\r\n\r\n",
                "GET  /_ping HTTP/1.1\r\n\r\n",
                "PATCH /_ping HTTP/1.1\r\n\r\n",
                "GET http://d/_ping HTTP/1.1\r\n\r\n",
                "GET /containers/%2e%2e/pods/json HTTP/1.1\r\n\r\n",
                "GET /libpod/containers/mine/../../pods HTTP/1.1\r\n\r\n",
                "GET /libpod/containers/json?filters=%zz HTTP/1.1\r\n\r\n",
                "GET /libpod/containers/json?a=%ff HTTP/1.1\r\n\r\n",
                "GET /_ping HTTP/1.1\r\nX: \u0001\r\n\r\n",
                "GET /_ping HTTP/1.1\r\nX: " + "a".repeat(70_000) + "\r\n\r\n",
                "GET /_ping HTTP/1.1\r\nHost: d");                                                       // the head never ends
        for (String m : malformed) {
            String answer = send(m);
            assertThat(answer).as(m.length() > 200 ? m.substring(0, 200) : m).startsWith("HTTP/1.1 400 ").contains("\"message\":\"burrow: ");
        }
        assertThat(podman.received).isEmpty();
    }

    @Test
    void aSecondRequestSentBehindTheFirstNeverReachesPodman() throws Exception {
        String second = post("/v4.3.1/libpod/containers/create", "{\"image\":\"x\",\"privileged\":true}");
        String answer = send(post("/v4.3.1/libpod/containers/mine/start", "") + second);
        assertThat(answer).startsWith("HTTP/1.1 200 ");
        assertThat(podman.forwarded()).hasSize(1).allSatisfy(r -> assertThat(r).startsWith("POST /v4.3.1/libpod/containers/" + StandInPodman.MINE + "/start "));
        assertThat(String.join("", podman.received)).doesNotContain("privileged");
    }

    @Test
    void aStreamPodmanDidNotTakeOverCarriesNoSecondRequest() throws Exception {
        // A detached exec start asks for a stream, and Podman answers it like any request (red team F1).
        String smuggled = post("/v4.3.1/libpod/containers/create", "{\"image\":\"x\",\"privileged\":true}");
        String answer = send("POST /v4.3.1/libpod/exec/m1/start HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nUpgrade: tcp\r\n"
                + "Connection: Upgrade\r\nContent-Length: 15\r\n\r\n{\"Detach\":true}" + smuggled);
        assertThat(answer).startsWith("HTTP/1.1 200 ");
        assertThat(podman.forwarded()).hasSize(1).allSatisfy(r -> assertThat(r).contains("Upgrade: tcp\r\n", "Connection: close\r\n"));
        assertThat(String.join("", podman.received)).doesNotContain("privileged");
        assertThat(SiblingSocket.tookOver("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream")).isTrue();
        assertThat(SiblingSocket.tookOver("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.multiplexed-stream")).isTrue();
        assertThat(SiblingSocket.tookOver("HTTP/1.1 200 OK\r\nContent-Length: 0")).isFalse();
        assertThat(SiblingSocket.tookOver("HTTP/1.1 409 Conflict\r\nContent-Type: application/json")).isFalse();
    }

    @Test
    void queryNamesAreCheckedInEveryLetterCase() throws Exception {
        // Podman reads query names in any case (red team F2).
        assertThat(send("DELETE /v4.3.1/libpod/images/remove?Images=shared&Force=true HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 403 ");
        assertThat(send("DELETE /v4.3.1/libpod/images/remove?IMAGES=shared HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 403 ");
        assertThat(send("DELETE /v4.3.1/libpod/containers/mine?Depend=true HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 403 ");
        assertThat(send(post("/v4.3.1/libpod/images/pull?Reference=127.0.0.1%3A5000%2Fx&Policy=always", ""))).startsWith("HTTP/1.1 403 ");
        assertThat(send(post("/v4.3.1/libpod/build?t=x&Volume=%2Fhome%3A%2Fh", ""))).startsWith("HTTP/1.1 403 ");
        assertThat(send(post("/v4.3.1/libpod/images/remove?images=a&Images=b", ""))).startsWith("HTTP/1.1 400 ");
        assertThat(podman.forwarded()).isEmpty();
    }

    @Test
    void whatIsNotNamedIsRefused() throws Exception {
        for (String path : List.of("/v4.3.1/libpod/play/kube", "/v4.3.1/libpod/pods/create", "/v4.3.1/libpod/secrets/create", "/v4.3.1/libpod/system/prune",
                "/v1.41/swarm/init", "/v4.3.1/libpod/generate/kube", "/v4.3.1/libpod/images/load", "/v4.3.1/libpod/containers/prune", "/auth",
                "/v4.3.1/libpod/volumes/prune", "/v4.3.1/libpod/commit", "/v4.3.1/libpod/images/import", "/v4.3.1/libpod/containers/mine/checkpoint",
                "/v4.3.1/libpod/containers/mine/mount", "/v4.3.1/libpod/networks/podman/connect")) {
            assertThat(send(post(path, "{}"))).as(path).startsWith("HTTP/1.1 403 ").contains("is not available through a session's Podman socket");
        }
        assertThat(send(get("/v4.3.1/libpod/pods/json"))).startsWith("HTTP/1.1 403 ");
        assertThat(podman.forwarded()).isEmpty();
    }

    @Test
    void aSessionReachesOnlyItsOwnContainersAndByTheirExactIds() throws Exception {
        assertThat(send(post("/v4.3.1/libpod/containers/theirs/stop", ""))).startsWith("HTTP/1.1 404 ").contains("no such container in this session: theirs");
        assertThat(send(post("/containers/" + StandInPodman.SESSION_CONTAINER.substring(0, 12) + "/kill", ""))).startsWith("HTTP/1.1 404 ");
        assertThat(send(post("/v4.3.1/libpod/containers/theirs/exec", "{\"Cmd\":[\"id\"]}"))).startsWith("HTTP/1.1 404 ");
        assertThat(send(post("/v4.3.1/libpod/exec/t123/start", "{}"))).startsWith("HTTP/1.1 404 ");
        assertThat(send("DELETE /v4.3.1/libpod/volumes/theirvol HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 404 ");
        assertThat(podman.forwarded()).isEmpty();

        assertThat(send("DELETE /v4.3.1/libpod/containers/mine?force=true HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 200 ");
        assertThat(send(post("/v4.3.1/libpod/exec/m123/start", "{\"Detach\":false}"))).startsWith("HTTP/1.1 200 ");
        assertThat(podman.forwarded()).containsExactly(
                "DELETE /v4.3.1/libpod/containers/" + StandInPodman.MINE + "?force=true HTTP/1.1\r\nHost: d\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                "POST /v4.3.1/libpod/exec/m123/start HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: 16\r\n\r\n{\"Detach\":false}");
    }

    @Test
    void listsShowOnlyTheSessionsOwn() throws Exception {
        String answer = send(get("/v4.3.1/libpod/containers/json?all=true"));
        assertThat(answer).startsWith("HTTP/1.1 200 ").contains(StandInPodman.MINE).doesNotContain(StandInPodman.THEIRS).doesNotContain(StandInPodman.SESSION_CONTAINER);
        assertThat(send(get("/containers/json?all=1&filters=%7B%7D"))).contains(StandInPodman.MINE).doesNotContain(StandInPodman.THEIRS);
    }

    @Test
    void aCreateGetsTheSessionsLabelAndNetworkAndPassesOnlyWhatItChecked() throws Exception {
        String body = "{\"image\":\"alpine\",\"command\":[\"echo\"],\"labels\":{\"mine\":\"1\",\"burrow.sibling-of\":\"s2\",\"Burrow.session\":\"x\"},"
                + "\"netns\":{\"nsmode\":\"bridge\"},\"mounts\":[{\"destination\":\"/app\",\"type\":\"bind\",\"source\":\"/workspace\",\"options\":[\"ro\"]}],"
                + "\"httpproxy\":true,\"privileged\":false,\"devices\":[{\"path\":\"/dev/nvidia0\"}],\"systemd\":\"true\",\"userns\":{},"
                // What podman run sends when not told otherwise.
                + "\"idmappings\":{\"HostUIDMapping\":true,\"HostGIDMapping\":true,\"UIDMap\":null,\"GIDMap\":null,\"AutoUserNs\":false,"
                + "\"AutoUserNsOpts\":{\"Size\":0,\"InitialSize\":0,\"PasswdFile\":\"\",\"GroupFile\":\"\",\"AdditionalUIDMappings\":null,"
                + "\"AdditionalGIDMappings\":null}}}";
        assertThat(send(post("/v4.3.1/libpod/containers/create", body))).startsWith("HTTP/1.1 200 ");
        String sent = podman.forwarded().getFirst();
        assertThat(sent).startsWith("POST /v4.3.1/libpod/containers/create HTTP/1.1\r\n")
                .contains("\"labels\":{\"mine\":\"1\",\"burrow.sibling-of\":\"s1\"}")
                .contains("\"netns\":{\"nsmode\":\"container\",\"value\":\"" + StandInPodman.SESSION_CONTAINER + "\"}")
                // In the session's network, in the session's user namespace: root there is the agent's sudo root.
                .contains("\"userns\":{\"nsmode\":\"container\",\"value\":\"" + StandInPodman.SESSION_CONTAINER + "\"}")
                .contains("\"source\":\"" + workspace + "\"")
                .contains("\"httpproxy\":false")
                .contains("\"oom_score_adj\":1000")
                .contains("\"r_limits\":[{\"type\":\"nproc\",\"hard\":" + dev.burrow.container.Limits.NONE.nproc())
                .doesNotContain("Burrow.session");

        String docker = "{\"Image\":\"alpine\",\"Labels\":{\"burrow.sibling-of\":\"s2\"},\"HostConfig\":{\"Binds\":[\"/workspace/:/app:ro\",\"newvol:/data\"],"
                + "\"NetworkMode\":\"default\"},\"NetworkingConfig\":{\"EndpointsConfig\":{\"default\":{}}}}";
        assertThat(send(post("/v1.41/containers/create?name=web", docker))).startsWith("HTTP/1.1 200 ");
        List<String> sent2 = podman.forwarded();
        // The named volume that did not exist is made first, with the session's label.
        assertThat(sent2.get(1)).startsWith("POST /v4.0.0/libpod/volumes/create ").contains("\"Name\":\"newvol\"", "\"burrow.sibling-of\":\"s1\"");
        assertThat(sent2.get(2)).startsWith("POST /v1.41/containers/create?name=web ")
                .contains("\"Labels\":{\"burrow.sibling-of\":\"s1\"}")
                .contains("\"NetworkMode\":\"container:" + StandInPodman.SESSION_CONTAINER + "\"")
                .contains("\"UsernsMode\":\"container:" + StandInPodman.SESSION_CONTAINER + "\"")
                .contains("\"Binds\":[\"" + workspace + ":/app:ro\",\"newvol:/data\"]")
                .contains("\"OomScoreAdj\":1000")
                .contains("\"Ulimits\":[{\"Name\":\"nproc\",\"Soft\":" + dev.burrow.container.Limits.NONE.nproc())
                .doesNotContain("NetworkingConfig");
    }

    @Test
    void createsThatWouldReachTheHostAreRefusedFieldByField() throws Exception {
        Map<String, String> libpod = Map.ofEntries(
                Map.entry("{\"image\":\"x\",\"env_merge\":[\"BURROW_PASSWORD\"]}", "environment entries must be NAME=VALUE"),
                Map.entry("{\"image\":\"x\",\"privileged\":true}", "privileged"),
                Map.entry("{\"image\":\"x\",\"Privileged\":true}", "Privileged is spelled differently"),
                // Go folds "ſ" into "s": this is "labels", null, after Burrow's own labels.
                Map.entry("{\"image\":\"x\",\"labels\":{},\"label\u017f\":null}", "twice"),
                Map.entry("{\"image\":\"x\",\"label\u017f\":null}", "spelled differently"),
                Map.entry("{\"image\":\"x\",\"privileged\":false,\"privileged\":true}", "not JSON Burrow accepts"),
                Map.entry("{\"image\":\"x\",\"cap_add\":[\"SYS_ADMIN\"]}", "cap-add"),
                Map.entry("{\"image\":\"x\",\"mounts\":[{\"destination\":\"/h\",\"type\":\"bind\",\"source\":\"/home\"}]}", "only from the session's workspace"),
                Map.entry("{\"image\":\"x\",\"mounts\":[{\"destination\":\"/h\",\"type\":\"bind\",\"source\":\"/workspace/link\"}]}", "goes through a link"),
                Map.entry("{\"image\":\"x\",\"mounts\":[{\"destination\":\"/h\",\"type\":\"bind\",\"source\":\"/workspace/../..\"}]}", "not a plain path"),
                Map.entry("{\"image\":\"x\",\"mounts\":[{\"destination\":\"/h\",\"type\":\"bind\",\"source\":\"/workspacex\"}]}", "only from the session's workspace"),
                Map.entry("{\"image\":\"x\",\"mounts\":[{\"destination\":\"/h\",\"type\":\"image\",\"source\":\"x\"}]}", "type image"),
                Map.entry("{\"image\":\"x\",\"netns\":{\"nsmode\":\"host\"}}", "host network"),
                Map.entry("{\"image\":\"x\",\"netns\":{\"nsmode\":\"container\",\"value\":\"" + StandInPodman.THEIRS + "\"}}", "container network"),
                Map.entry("{\"image\":\"x\",\"pidns\":{\"nsmode\":\"host\"}}", "host pid"),
                Map.entry("{\"image\":\"x\",\"ipcns\":{\"nsmode\":\"container\",\"value\":\"x\"}}", "container ipc"),
                Map.entry("{\"image\":\"x\",\"userns\":{\"nsmode\":\"host\"}}", "--userns is not allowed"),
                Map.entry("{\"image\":\"x\",\"cgroupns\":{\"nsmode\":\"path\",\"value\":\"/proc/1/ns/cgroup\"}}", "path cgroup"),
                Map.entry("{\"image\":\"x\",\"volumes_from\":[\"" + StandInPodman.THEIRS + "\"]}", "volumes_from"),
                Map.entry("{\"image\":\"x\",\"rootfs\":\"/\"}", "rootfs"),
                Map.entry("{\"image\":\"x\",\"oci_runtime\":\"/tmp/evil\"}", "oci_runtime"),
                Map.entry("{\"image\":\"x\",\"init_path\":\"/tmp/evil\"}", "init_path"),
                Map.entry("{\"image\":\"x\",\"log_configuration\":{\"driver\":\"k8s-file\",\"path\":\"/home/u/.bashrc\"}}", "path"),
                Map.entry("{\"image\":\"x\",\"env_host\":true}", "env_host"),
                Map.entry("{\"image\":\"x\",\"seccomp_profile_path\":\"unconfined\"}", "seccomp_profile_path"),
                Map.entry("{\"image\":\"x\",\"selinux_opts\":[\"disable\"]}", "selinux_opts"),
                Map.entry("{\"image\":\"x\",\"apparmor_profile\":\"unconfined\"}", "apparmor_profile"),
                Map.entry("{\"image\":\"x\",\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"}}", "sysctl"),
                Map.entry("{\"image\":\"x\",\"r_limits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1048576,\"soft\":1048576}]}", "r_limits"),
                Map.entry("{\"image\":\"x\",\"devices\":[{\"path\":\"/dev/fuse\"}]}", "device /dev/fuse"),
                Map.entry("{\"image\":\"x\",\"portmappings\":[{\"host_port\":8080,\"container_port\":80}]}", "publishing ports"),
                Map.entry("{\"image\":\"x\",\"Networks\":{\"mynet\":{}}}", "joining networks"),
                Map.entry("{\"image\":\"x\",\"volumes\":[{\"Name\":\"theirvol\",\"Dest\":\"/v\"}]}", "no such volume"),
                Map.entry("{\"image\":\"x\",\"volumes\":[{\"Name\":\"burrow-cache-maven\",\"Dest\":\"/v\"}]}", "Burrow's own"),
                Map.entry("{\"image\":\"x\",\"name\":\"burrow-abc\"}", "Burrow's own"),
                Map.entry("{\"image\":\"x\",\"annotations\":{\"run.oci.hooks\":\"x\"}}", "annotation"),
                Map.entry("{\"image\":\"x\",\"pod\":\"p\"}", "pod"),
                Map.entry("{\"image\":\"x\",\"hostusers\":[\"root\"]}", "hostusers"),
                Map.entry("{\"image\":\"x\",\"resource_limits\":{\"unified\":{\"memory.max\":\"max\"}}}", "unified"),
                Map.entry("{\"image\":\"docker-archive:/home/u/x.tar\"}", "not an image reference"),
                Map.entry("{\"image\":\"theirimg\"}", "no such image in this session"),
                Map.entry("{\"image\":\"x\",\"userns\":{\"nsmode\":\"keep-id\"}}", "run in the session's user namespace"),
                Map.entry("{\"image\":\"x\",\"netns\":{\"nsmode\":\"none\"},\"userns\":{\"nsmode\":\"auto\",\"value\":\"uidmapping=0:0:1\"}}", "--userns is not allowed"),
                Map.entry("{\"image\":\"x\",\"systemd\":\"always\"}", "systemd mode always"),
                Map.entry("{\"image\":\"x\",\"idmappings\":{\"UIDMap\":[{\"container_id\":0,\"host_id\":0,\"size\":1}]}}", "user ID map"),
                Map.entry("{\"image\":\"x\",\"netns\":{\"nsmode\":\"none\"},\"userns\":{\"nsmode\":\"auto\"},\"idmappings\":{\"AutoUserNs\":true,"
                        + "\"AutoUserNsOpts\":{\"PasswdFile\":\"/home/u/.ssh/id_rsa\"}}}", "--userns is not allowed"),
                Map.entry("{\"image\":\"x\",\"idmappings\":{\"AutoUserNsOpts\":{\"PasswdFile\":\"/home/u/.ssh/id_rsa\"}}}", "PasswdFile"),
                Map.entry("{\"image\":\"x\",\"idmappings\":{\"AutoUserNs\":true}}", "automatic user namespace"),
                Map.entry("{\"image\":\"x\",\"idmappings\":{\"HostUIDMapping\":\"yes\"}}", "true or false"),
                Map.entry("[]", "not a JSON object"));
        for (var e : libpod.entrySet()) {
            assertThat(send(post("/v4.3.1/libpod/containers/create", e.getKey()))).as(e.getKey()).matches("(?s)HTTP/1.1 (400|403|404) .*").contains(e.getValue());
        }
        Map<String, String> docker = Map.ofEntries(
                // A bare name is filled from the Podman service's environment: the host's.
                Map.entry("{\"Image\":\"x\",\"Env\":[\"ANTHROPIC_API_KEY\"]}", "environment entries must be NAME=VALUE"),
                Map.entry("{\"Image\":\"x\",\"Env\":[\"BURROW*\"]}", "environment entries must be NAME=VALUE"),
                Map.entry("{\"Image\":\"x\",\"HostConfig\":{\"Privileged\":true}}", "privileged"),
                Map.entry("{\"Image\":\"x\",\"HostConfig\":{\"privileged\":true}}", "privileged is spelled differently"),
                Map.entry("{\"Image\":\"x\",\"HostConfig\":{\"Binds\":[\"/home/u:/h\"]}}", "only from the session's workspace"),
                Map.entry("{\"Image\":\"x\",\"HostConfig\":{\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/\",\"Target\":\"/h\"}]}}", "only from the session's workspace"),
                Map.entry("{\"Image\":\"x\",\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"v\",\"Target\":\"/h\",\"VolumeOptions\":{\"DriverConfig\":{\"Options\":{\"device\":\"/home\"}}}}]}}", "DriverConfig"),
                Map.entry("{\"Image\":\"x\",\"HostConfig\":{\"NetworkMode\":\"host\"}}", "host network"),
                Map.entry("{\"Image\":\"x\",\"HostConfig\":{\"PidMode\":\"host\"}}", "PID mode host"),
                Map.entry("{\"Image\":\"x\",\"HostConfig\":{\"UsernsMode\":\"host\"}}", "--userns is not allowed"),
                Map.entry("{\"Image\":\"x\",\"HostConfig\":{\"IpcMode\":\"container:" + StandInPodman.THEIRS + "\"}}", "IPC mode"),
                Map.entry("{\"Image\":\"x\",\"HostConfig\":{\"CapAdd\":[\"ALL\"]}}", "CapAdd"),
                Map.entry("{\"Image\":\"x\",\"HostConfig\":{\"VolumesFrom\":[\"theirs\"]}}", "VolumesFrom"),
                Map.entry("{\"Image\":\"x\",\"HostConfig\":{\"SecurityOpt\":[\"seccomp=unconfined\"]}}", "security option"),
                Map.entry("{\"Image\":\"x\",\"HostConfig\":{\"Devices\":[{\"PathOnHost\":\"/dev/sda\"}]}}", "device /dev/sda"),
                Map.entry("{\"Image\":\"x\",\"HostConfig\":{\"Sysctls\":{\"a\":\"b\"}}}", "Sysctls"),
                Map.entry("{\"Image\":\"x\",\"HostConfig\":{\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":1,\"Hard\":1}]}}", "Ulimits"),
                Map.entry("{\"Image\":\"x\",\"HostConfig\":{\"Runtime\":\"/tmp/evil\"}}", "Runtime"),
                Map.entry("{\"Image\":\"x\",\"HostConfig\":{\"LogConfig\":{\"Type\":\"k8s-file\",\"Config\":{\"path\":\"/x\"}}}}", "log option path"),
                Map.entry("{\"Image\":\"x\",\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"8080\"}]}}}", "publishing ports"),
                Map.entry("{\"Image\":\"x\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"mynet\":{}}}}", "joining networks"),
                Map.entry("{\"Image\":\"x\",\"HostConfig\":{\"UsernsMode\":\"keep-id\"}}", "run in the session's user namespace"),
                Map.entry("{\"Image\":\"x\",\"HostConfig\":{\"Tmpfs\":{\"/t\":\"rw,suid,dev\"}}}", "mount option suid"),
                Map.entry("{\"Image\":\"x\",\"HostConfig\":{\"Tmpfs\":{\"t\":\"\"}}}", "absolute path"),
                Map.entry("{\"Image\":\"x\",\"HostConfig\":{\"MaskedPaths\":[\"/nothing\"]}}", "masked paths"),
                Map.entry("{\"Image\":\"x\",\"HostConfig\":{\"ReadonlyPaths\":[\"/nothing\"]}}", "read-only paths"));
        for (var e : docker.entrySet()) {
            assertThat(send(post("/v1.41/containers/create", e.getKey()))).as(e.getKey()).matches("(?s)HTTP/1.1 (400|403) .*").contains(e.getValue());
        }
        assertThat(podman.forwarded()).isEmpty();
    }

    @Test
    void podmanNeverMakesAWorkingDirOnTheHost() throws Exception {
        // Fifth attack review: a workdir through a link in the image, made and chowned by Podman on the host.
        assertThat(send(post("/v4.3.1/libpod/containers/create", "{\"image\":\"x\",\"work_dir\":\"/hh/made\",\"create_working_dir\":true}")))
                .startsWith("HTTP/1.1 200 ");
        assertThat(send(post("/v4.3.1/libpod/containers/create", "{\"image\":\"x\"}"))).startsWith("HTTP/1.1 200 ");
        assertThat(podman.forwarded().get(0)).contains("\"work_dir\":\"/hh/made\"", "\"create_working_dir\":false");
        assertThat(podman.forwarded().get(1)).contains("\"work_dir\":\"/\"", "\"create_working_dir\":false");
        assertThat(send(post("/v1.41/containers/create", "{\"Image\":\"x\",\"WorkingDir\":\"/hh/made\"}"))).startsWith("HTTP/1.1 403 ")
                .contains("working dir must be / or on one of its mounts");
        assertThat(send(post("/v1.41/containers/create", "{\"Image\":\"x\",\"WorkingDir\":\"/work/sub\",\"HostConfig\":{\"Binds\":[\"/workspace:/work\"]}}")))
                .startsWith("HTTP/1.1 200 ");
        assertThat(send(post("/v4.3.1/libpod/containers/create", "{\"image\":\"x\",\"timezone\":\"../../../home/u/secret\"}"))).startsWith("HTTP/1.1 403 ");
    }

    @Test
    void execCannotBePrivileged() throws Exception {
        assertThat(send(post("/v4.3.1/libpod/containers/mine/exec", "{\"Cmd\":[\"id\"],\"Privileged\":true}"))).startsWith("HTTP/1.1 403 ");
        assertThat(send(post("/v4.3.1/libpod/containers/mine/exec", "{\"Cmd\":[\"id\"],\"PreserveFDs\":3}"))).startsWith("HTTP/1.1 403 ");
        assertThat(send(post("/v1.41/containers/mine/exec", "{\"Cmd\":[\"env\"],\"Env\":[\"BURROW_GITHUB_TOKEN\"]}"))).startsWith("HTTP/1.1 403 ")
                .contains("environment entries must be NAME=VALUE");
        assertThat(podman.forwarded()).isEmpty();
    }

    /**
     * What a session builds, tags or names is kept in a name space of its own: never under a
     * name the user's tools resolve (podman run alpine:3.19 would run it), nor one another session reads.
     */
    @Test
    void aSessionsImageNamesAreItsOwnNeverOnesTheUserRuns() throws Exception {
        assertThat(send(post("/v4.3.1/libpod/images/shared/tag?repo=docker.io%2Flibrary%2Falpine&tag=3.19", ""))).startsWith("HTTP/1.1 200 ");
        assertThat(send(post("/v1.41/images/shared/tag?repo=alpine", ""))).startsWith("HTTP/1.1 200 ");
        assertThat(send(post("/v4.3.1/libpod/images/shared/tag?repo=localhost%3A5000%2Fteam%2Fapp&tag=1", ""))).startsWith("HTTP/1.1 200 ");
        assertThat(podman.forwarded()).satisfiesExactly(
                r -> assertThat(r).startsWith("POST /v4.3.1/libpod/images/shared/tag?repo=localhost%2Fburrow-s-s1%2Fdocker.io%2Flibrary%2Falpine%2Fburrow-session&tag=3.19 "),
                r -> assertThat(r).startsWith("POST /v1.41/images/shared/tag?repo=localhost%2Fburrow-s-s1%2Flocalhost%2Falpine%2Fburrow-session&tag=latest "),
                r -> assertThat(r).startsWith("POST /v4.3.1/libpod/images/shared/tag?repo=localhost%2Fburrow-s-s1%2Flocalhost__5000%2Fteam%2Fapp%2Fburrow-session&tag=1 "));
        podman.received.clear();
        // Its own names read back as it gave them: inspect, run, remove.
        assertThat(send(get("/v4.3.1/libpod/images/app/exists"))).startsWith("HTTP/1.1 200 ");
        assertThat(send(post("/v4.3.1/libpod/containers/create", "{\"image\":\"tagged\"}"))).startsWith("HTTP/1.1 200 ");
        assertThat(send(post("/v1.41/containers/create", "{\"Image\":\"app:latest\"}"))).startsWith("HTTP/1.1 200 ");
        assertThat(send(post("/v4.3.1/libpod/images/pull?reference=app&policy=missing", ""))).startsWith("HTTP/1.1 200 ");
        assertThat(send("DELETE /v4.3.1/libpod/images/tagged HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 200 ");
        List<String> sent = podman.forwarded();
        assertThat(sent.get(0)).startsWith("GET /v4.3.1/libpod/images/localhost/burrow-s-s1/localhost/app/burrow-session%3Alatest/exists ");
        assertThat(sent.get(1)).contains("\"image\":\"" + StandInPodman.OWN_TAGGED + "\"");
        assertThat(sent.get(2)).contains("\"Image\":\"" + StandInPodman.OWN_BUILT + "\"");
        assertThat(sent.get(3)).startsWith("POST /v4.3.1/libpod/images/pull?").contains("reference=localhost%2Fburrow-s-s1%2Flocalhost%2Fapp%2Fburrow-session%3Alatest");
        assertThat(sent.get(4)).startsWith("DELETE /v4.3.1/libpod/images/localhost/burrow-s-s1/localhost/tagged/burrow-session%3Alatest ");
        // Another session's names are not there for it, whether by the name that session gave or by Burrow's.
        podman.received.clear();
        assertThat(send(get("/v4.3.1/libpod/images/" + StandInPodman.THEIR_TAGGED.replace(":", "%3A") + "/json"))).startsWith("HTTP/1.1 404 ");
        assertThat(send(post("/v4.3.1/libpod/containers/create", "{\"image\":\"" + StandInPodman.THEIR_TAGGED + "\"}"))).startsWith("HTTP/1.1 404 ");
        assertThat(send("DELETE /v4.3.1/libpod/images/" + StandInPodman.THEIR_TAGGED.replace(":", "%3A") + " HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 404 ");
        assertThat(podman.forwarded()).isEmpty();
        // A build's names are its own too; FROM its own image gets the host's name for it (buildah looks names up on the host).
        assertThat(build("/v4.3.1/libpod/build", "t=docker.io%2Flibrary%2Fdebian%3Abookworm&output=web", tar(false, "Containerfile", "FROM shared\n")))
                .startsWith("HTTP/1.1 200 ");
        assertThat(podman.forwarded().getFirst()).contains("t=localhost%2Fburrow-s-s1%2Fdocker.io%2Flibrary%2Fdebian%2Fburrow-session%3Abookworm&",
                "output=localhost%2Fburrow-s-s1%2Flocalhost%2Fweb%2Fburrow-session%3Alatest");
        podman.received.clear();
        assertThat(build("/v4.3.1/libpod/build", "t=x", tar(false, "Containerfile", "FROM shared AS base\r\nFROM  --platform=linux/amd64 app AS b\n"
                + "COPY --from=tagged /a /a\nRUN echo FROM app\n"))).startsWith("HTTP/1.1 200 ");
        String built = podman.forwarded().getFirst();
        var file = java.util.regex.Pattern.compile("dockerfile=(\\.burrow-containerfile-[0-9a-f]{24})").matcher(built);
        assertThat(file.find()).as(built).isTrue();
        assertThat(built).contains(file.group(1) + "\u0000", "FROM shared AS base\r\nFROM --platform=linux/amd64 " + StandInPodman.OWN_BUILT + " AS b\n"
                + "COPY --from=" + StandInPodman.OWN_TAGGED + " /a /a\nRUN echo FROM app\n");
    }

    @Test
    void imagesOfBurrowAndOfOthersCannotBeTakenOverAndPullsStayInThePolicy() throws Exception {
        assertThat(send(post("/v4.3.1/libpod/images/shared/tag?repo=localhost%2Fburrow-runner&tag=x", ""))).startsWith("HTTP/1.1 403 ").contains("Burrow's own");
        assertThat(send(post("/v4.3.1/libpod/images/shared/tag?repo=fresh&tag=latest", ""))).startsWith("HTTP/1.1 200 ");
        assertThat(send("DELETE /v4.3.1/libpod/images/remove?images=shared HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 403 ");
        assertThat(send("DELETE /v4.3.1/libpod/images/remove?images=myimg&force=true HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 403 ");
        assertThat(send("DELETE /v4.3.1/libpod/images/theirimg HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 404 ");
        assertThat(send(get("/v4.3.1/libpod/images/theirimg/json"))).startsWith("HTTP/1.1 404 ");
        assertThat(send(post("/v4.3.1/libpod/build?t=localhost%2Fburrow-base%3Abookworm", ""))).startsWith("HTTP/1.1 403 ");
        assertThat(send(post("/v4.3.1/libpod/build?t=x&remote=https%3A%2F%2Fevil%2Fctx.tar", ""))).startsWith("HTTP/1.1 403 ");
        assertThat(send(post("/v4.3.1/libpod/build?t=x&volume=%2Fhome%3A%2Fh", ""))).startsWith("HTTP/1.1 403 ").contains("volume");
        assertThat(send(post("/v4.3.1/libpod/build?t=x&isolation=2", ""))).startsWith("HTTP/1.1 403 ");
        assertThat(send(post("/v4.3.1/libpod/build?t=x&nsoptions=%5B%7B%22Name%22%3A%22network%22%2C%22Host%22%3Atrue%7D%5D", ""))).startsWith("HTTP/1.1 403 ");
        assertThat(send(post("/v4.3.1/libpod/build?t=x&seccomp=%2Fworkspace%2Fall.json", ""))).startsWith("HTTP/1.1 403 ");
        assertThat(send(post("/v4.3.1/libpod/images/pull?reference=127.0.0.1%3A5000%2Fx&policy=always", ""))).startsWith("HTTP/1.1 403 ").contains("this machine");
        assertThat(send(post("/v4.3.1/libpod/images/pull?reference=localhost%2Fburrow-runner%3Ax&policy=always", ""))).startsWith("HTTP/1.1 403 ");
        assertThat(send(post("/v4.3.1/libpod/images/pull?reference=docker.io%2Flibrary%2Falpine&authfile=%2Fhome%2Fu%2Fauth.json", ""))).startsWith("HTTP/1.1 403 ");
        assertThat(send(post("/images/create?fromSrc=-&repo=x", ""))).startsWith("HTTP/1.1 403 ");
        assertThat(podman.forwarded()).containsExactly("POST /v4.3.1/libpod/images/shared/tag?repo=localhost%2Fburrow-s-s1%2Flocalhost%2Ffresh%2Fburrow-session&tag=latest HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\n"
                + "Connection: close\r\nContent-Length: 0\r\n\r\n");

        // A build is labelled with the session and has its network; under the proxied policies it pulls nothing and has the session's proxy.
        start(NetworkPolicy.ALLOWLIST);
        podman.received.clear();
        byte[] context = tar(false, "Containerfile", "FROM shared\n");
        var chunked = new java.io.ByteArrayOutputStream();
        chunked.write(("POST /v4.3.1/libpod/build?t=app&networkmode=0&labels=%7B%22burrow.sibling-of%22%3A%22s2%22%7D HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(context.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        chunked.write(context);
        chunked.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(send(chunked.toString(StandardCharsets.ISO_8859_1))).startsWith("HTTP/1.1 200 ");
        assertThat(podman.forwarded().getFirst())
                .startsWith("POST /v4.3.1/libpod/build?t=localhost%2Fburrow-s-s1%2Flocalhost%2Fapp%2Fburrow-session%3Alatest&nsoptions=%5B%7B%22Name%22%3A%22network%22%2C%22Host%22%3Afalse%2C%22Path%22%3A%22"
                        + java.net.URLEncoder.encode(tmp.resolve("pins/net").toString(), StandardCharsets.UTF_8)
                        + "%22%7D%5D&networkmode=0&pullpolicy=never&buildargs=%7B%22HTTPS_PROXY%22%3A%22http%3A%2F%2F127.0.0.1%3A3128%22%7D&labels=%7B%22burrow.sibling-of%22%3A%22s1%22%7D HTTP/1.1\r\n")
                .contains("Content-Length: 2048\r\n", "FROM shared"); // held until read, then sent whole
        assertThat(send(post("/v4.3.1/libpod/images/pull?reference=docker.io%2Flibrary%2Falpine&policy=always", ""))).startsWith("HTTP/1.1 403 ").contains("allowlist");
        assertThat(send(post("/v4.3.1/libpod/images/pull?reference=quay.io%2Fx%2Fy&policy=always", ""))).startsWith("HTTP/1.1 200 ");
        // A short name is pulled as the docker.io name Burrow checked, not through the host's aliases (fedora is Fedora's registry there).
        start(NetworkPolicy.FULL);
        podman.received.clear();
        assertThat(send(post("/v4.3.1/libpod/images/pull?reference=fedora&policy=always", ""))).startsWith("HTTP/1.1 200 ");
        assertThat(podman.forwarded().getLast()).startsWith("POST /v4.3.1/libpod/images/pull?policy=always&reference=docker.io%2Flibrary%2Ffedora ");
        start(NetworkPolicy.ALLOWLIST);
        start(NetworkPolicy.NONE);
        assertThat(send(post("/v4.3.1/libpod/images/pull?reference=quay.io%2Fx%2Fy&policy=always", ""))).startsWith("HTTP/1.1 403 ").contains("none");
        // No policy is Podman's "always": a fetch, even of an image that is here.
        assertThat(send(post("/v4.3.1/libpod/images/pull?reference=shared", ""))).startsWith("HTTP/1.1 403 ").contains("none");
        // Removal: by name only (none would be every unused image), never by force however it is spelled.
        assertThat(send("DELETE /v4.3.1/libpod/images/remove HTTP/1.1\r\nHost: d\r\n\r\n")).startsWith("HTTP/1.1 400 ");
        for (String force : List.of("t", "T", "on", "TRUE", "yes")) {
            assertThat(send("DELETE /v4.3.1/libpod/images/remove?images=shared&force=" + force + " HTTP/1.1\r\nHost: d\r\n\r\n")).as(force).startsWith("HTTP/1.1 403 ");
        }
        // A form body would be read before the query Burrow checked.
        assertThat(send("POST /v4.3.1/libpod/images/shared/tag?repo=fresh&tag=1 HTTP/1.1\r\nHost: d\r\nContent-Type: Application/X-WWW-Form-Urlencoded; charset=utf-8\r\n"
                + "Content-Length: 26\r\n\r\nrepo=localhost/burrow-base")).startsWith("HTTP/1.1 400 ").contains("form bodies");
        assertThat(send(post("/v4.3.1/libpod/images/pull?reference=shared&policy=missing", ""))).startsWith("HTTP/1.1 200 ");
    }

    /** A tar of {@code files} (name, content pairs); a name "link:NAME" is a symbolic link; a name "pax:REAL:SHOWN" sets the name in a PAX header. */
    private static byte[] tar(boolean gzip, String... files) throws Exception {
        var bytes = new java.io.ByteArrayOutputStream();
        for (int i = 0; i + 1 < files.length; i += 2) {
            String name = files[i];
            byte[] data = files[i + 1].getBytes(StandardCharsets.UTF_8);
            if (name.startsWith("pax:")) {
                String real = name.split(":")[1];
                String rec = " path=" + real + "\n";
                String record = (rec.length() + String.valueOf(rec.length() + 2).length()) + rec;
                entry(bytes, "PaxHeader", 'x', record.getBytes(StandardCharsets.UTF_8), "");
                name = name.split(":")[2];
            }
            if (name.startsWith("link:")) entry(bytes, name.substring(5), '2', new byte[0], files[i + 1]);
            else if (name.startsWith("hard:")) entry(bytes, name.substring(5), '1', new byte[0], files[i + 1]);
            else if (name.startsWith("raw:")) bytes.write(java.util.Base64.getDecoder().decode(files[i + 1]));
            else if (name.startsWith("gnu:")) gnuEntry(bytes, name.substring(4), data);
            else entry(bytes, name, '0', data, "");
        }
        bytes.write(new byte[1024]);
        if (!gzip) return bytes.toByteArray();
        var zipped = new java.io.ByteArrayOutputStream();
        try (var z = new java.util.zip.GZIPOutputStream(zipped)) {
            z.write(bytes.toByteArray());
        }
        return zipped.toByteArray();
    }

    private static void entry(java.io.ByteArrayOutputStream out, String name, char type, byte[] data, String link) throws Exception {
        byte[] h = new byte[512];
        System.arraycopy(name.getBytes(StandardCharsets.UTF_8), 0, h, 0, name.length());
        System.arraycopy(String.format("%011o", data.length).getBytes(StandardCharsets.US_ASCII), 0, h, 124, 11);
        h[156] = (byte) type;
        System.arraycopy(link.getBytes(StandardCharsets.UTF_8), 0, h, 157, link.length());
        System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 8);
        System.arraycopy("0000644\u0000".getBytes(StandardCharsets.US_ASCII), 0, h, 100, 8);
        checksum(h);
        out.write(h);
        out.write(data);
        out.write(new byte[(512 - data.length % 512) % 512]);
    }

    /** A GNU-format entry whose access time field (where POSIX has the name prefix) holds digits. */
    private static void gnuEntry(java.io.ByteArrayOutputStream out, String name, byte[] data) throws Exception {
        var one = new java.io.ByteArrayOutputStream();
        entry(one, name, '0', data, "");
        byte[] b = one.toByteArray();
        System.arraycopy("ustar  \u0000".getBytes(StandardCharsets.US_ASCII), 0, b, 257, 8);
        System.arraycopy("00000000001".getBytes(StandardCharsets.US_ASCII), 0, b, 345, 11);
        checksum(b);
        out.write(b);
    }

    private static void checksum(byte[] h) {
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (int i = 0; i < 512; i++) sum += h[i] & 0xff;
        System.arraycopy(String.format("%06o\u0000 ", sum).getBytes(StandardCharsets.US_ASCII), 0, h, 148, 8);
    }

    private String build(String query, byte[] context) throws Exception {
        return build("/v4.3.1/libpod/build", query, context);
    }

    private String build(String path, String query, byte[] context) throws Exception {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(tmp.resolve("p/podman.sock")))) {
            var out = Channels.newOutputStream(c);
            out.write(("POST " + path + "?" + query + " HTTP/1.1\r\nContent-Type: application/x-tar\r\nContent-Length: " + context.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            try {
                out.write(context);
                c.shutdownOutput();
            } catch (java.io.IOException refusedBeforeTheBody) {
                // the socket answered from the query alone and closed: its answer is there to read
            }
            return new String(Channels.newInputStream(c).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aBuildsContainerfileIsReadBeforePodmanGetsAByteOfIt() throws Exception {
        String file = "%5B%22Containerfile%22%5D";
        assertThat(build("t=app&dockerfile=" + file, tar(true, "src/a.txt", "a", "Containerfile", "FROM shared\nADD http://127.0.0.1:9/secret /s\n")))
                .startsWith("HTTP/1.1 403 ").contains("this machine");
        assertThat(build("t=app", tar(false, "Dockerfile", "FROM shared\nADD --chown=1 \\\n  http://10.1.2.3/x /x\n")))
                .startsWith("HTTP/1.1 403 ").contains("private address");
        assertThat(build("t=app&dockerfile=" + file, tar(true, "pax:Containerfile:harmless", "FROM shared\nRUN --network=host true\n")))
                .startsWith("HTTP/1.1 403 ").contains("--network=host");
        assertThat(build("t=app&dockerfile=" + file, tar(true, "pax:Containerfile:harmless", "FROM shared\n", "Containerfile", "FROM shared\n")))
                .startsWith("HTTP/1.1 403 ").contains("twice");
        assertThat(build("t=app&dockerfile=" + file, tar(true, "link:Containerfile", "/etc/passwd"))).startsWith("HTTP/1.1 403 ").contains("is a link");
        assertThat(build("t=app&dockerfile=%5B%22sub%2FContainerfile%22%5D", tar(true, "Containerfile", "FROM shared\n")))
                .startsWith("HTTP/1.1 403 ").contains("not in the uploaded build context");
        assertThat(build("t=app", tar(false, "Containerfile", "FROM 192.168.1.5:5000/base\n"))).startsWith("HTTP/1.1 403 ").contains("private address");
        assertThat(build("t=app", tar(false, "Containerfile", "FROM shared\nADD $URL /x\n"))).startsWith("HTTP/1.1 403 ").contains("variable");
        // Parser differentials (red team F3, F5): an escape directive read two ways, GNU headers whose
        // access time a reader could take for a name prefix, a Containerfile named outside the context,
        // an image named by a variable.
        assertThat(build("t=app", tar(false, "Containerfile", "# escape=`x\nFROM shared\nRUN echo hi \\\nADD http://127.0.0.1:9/x /x\n")))
                .startsWith("HTTP/1.1 403 ").contains("this machine");
        assertThat(build("t=app", tar(false, "gnu:Containerfile", "FROM shared\nADD http://127.0.0.1:9/x /x\n"))).startsWith("HTTP/1.1 403 ");
        assertThat(build("t=app&dockerfile=%5B%22%2Fhome%2Fu%2Fevil%22%5D", tar(false, "home/u/evil", "FROM shared\n"))).startsWith("HTTP/1.1 403 ");
        assertThat(build("t=app&dockerfile=%5B%22..%2Fevil%22%5D", tar(false, "evil", "FROM shared\n"))).startsWith("HTTP/1.1 403 ");
        assertThat(build("t=app", tar(false, "Containerfile", "ARG R=127.0.0.1:5000\nFROM $R/base:1\n"))).startsWith("HTTP/1.1 403 ").contains("this machine");
        assertThat(build("t=app&buildargs=%7B%22R%22%3A%2210.0.0.9%22%7D", tar(false, "Containerfile", "ARG R=quay.io\nFROM ${R}/base:1\n")))
                .startsWith("HTTP/1.1 403 ").contains("private address");
        assertThat(build("t=app", tar(false, "Containerfile", "FROM ${UNSET}/base:1\n"))).startsWith("HTTP/1.1 403 ").contains("cannot resolve");
        // Two defaults of one ARG: buildah's pick depends on scope and order, so neither is taken as the image.
        assertThat(build("t=app", tar(false, "Containerfile", "ARG IMG=shared\nARG IMG=127.0.0.1:5000/x:1\nFROM ${IMG}\n"))).startsWith("HTTP/1.1 403 ")
                .contains("more than one default");
        assertThat(build("t=app&buildargs=%7B%22IMG%22%3A%22shared%22%7D", tar(false, "Containerfile", "ARG IMG=a\nARG IMG=b\nFROM ${IMG}\n")))
                .startsWith("HTTP/1.1 200 ");
        podman.received.clear();
        // CVE-2024-1753: a bind mount of / in a RUN step would be the host's on Debian 12's buildah.
        assertThat(build("t=app", tar(false, "Containerfile", "FROM shared\nRUN --mount=type=bind,source=/,target=/h,rw cat /h/etc/passwd\n")))
                .startsWith("HTTP/1.1 403 ").contains("CVE-2024-1753");
        assertThat(build("t=app", tar(false, "Containerfile", "FROM shared AS s\nRUN ln -s / /r\nFROM shared\nRUN --mount=type=bind,from=s,source=/r,target=/h,rw true\n")))
                .startsWith("HTTP/1.1 403 ");
        assertThat(build("t=app", tar(false, "Containerfile", "FROM shared\nRUN --mount=type=cache,from=s,target=/h true\n"))).startsWith("HTTP/1.1 403 ");
        // Third attack review: a cache id climbing out, a Containerfile written through a linked dir, compressions
        // Burrow does not read, the host's C preprocessor, hard links.
        assertThat(build("t=app", tar(false, "Containerfile", "FROM shared\nRUN --mount=type=cache,id=../../../home/u,target=/h cat /h/x\n")))
                .startsWith("HTTP/1.1 403 ").contains("only tmpfs");
        String escape = "FROM shared\nRUN --mount=type=bind,source=/,target=/h true\n";
        assertThat(build("t=app", tar(false, "link:d", ".", "d/Containerfile", escape))).startsWith("HTTP/1.1 403 ").contains("through the link d");
        assertThat(build("t=app", new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0, 1, 2})).startsWith("HTTP/1.1 403 ").contains("gzip or not at all");
        assertThat(build("t=app", "BZh91AY&SY".getBytes(StandardCharsets.US_ASCII))).startsWith("HTTP/1.1 403 ");
        assertThat(build("t=app", "not a tar at all".getBytes(StandardCharsets.US_ASCII))).startsWith("HTTP/1.1 400 ");
        assertThat(build("t=app&dockerfile=%5B%22Containerfile.in%22%5D", tar(false, "Containerfile.in", "#include \"/etc/passwd\"\n"))).startsWith("HTTP/1.1 403 ")
                .contains(".in");
        assertThat(build("t=app", tar(false, "Containerfile", "FROM shared\n", "hard:h", "d/../../x"))).startsWith("HTTP/1.1 403 ");
        assertThat(build("t=app", tar(false, "Containerfile", "FROM shared\n", "hard:h", "Containerfile"))).startsWith("HTTP/1.1 403 ").contains("hard links");
        assertThat(build("t=app", tar(false, "src/a.txt", "a"))).startsWith("HTTP/1.1 403 ").contains("no Containerfile");
        assertThat(build("t=app", tar(false, "Containerfile", "FROM shared\n", "link:.dockerignore", "/etc/shadow"))).startsWith("HTTP/1.1 403 ");
        assertThat(build("t=app", tar(false, "Containerfile", "FROM shared\nRUN --mount=source=../..,target=/h ls /h\n"))).startsWith("HTTP/1.1 403 ");
        assertThat(build("t=app", tar(false, "Containerfile", "FROM shared\nRUN --mount=type=secret,id=x cat /run/secrets/x\n"))).startsWith("HTTP/1.1 403 ");
        // buildah fills in variables in RUN flags before it reads them: the red team's bind after a tmpfs (CVE-2024-1753 again).
        for (String run : List.of("ENV X=,type=bind,source=l,target=/h\nRUN --mount=type=tmpfs,target=/t$X cat /h/etc/passwd",
                "ARG X\nRUN --mount=type=tmpfs,target=/t${X} true", "RUN --mount=type=tmpfs,target=/t,type=bind,source=l,target=/h true",
                "RUN --mount=type=tmpfs,target=/t,source=l true", "RUN --mount=\"type=tmpfs,target=/t\" true", "ONBUILD RUN --mount=type=tmpfs,target=$X true",
                "RUN --network=$N true",
                // A blank line (or one of spaces, or of Go's other white space) inside a continuation ends nothing for buildah.
                "RUN \\\n\n--mount=type=bind,source=l,target=/h,rw id", "RUN \\\n   \n--mount=type=bind,source=l,target=/h id",
                "RUN --mount=type=tmpfs,target=/t \\\n\n--mount=type=bind,source=l,target=/h id", "RUN \\\n\u00a0\n--mount=type=bind,source=l,target=/h id",
                "RUN \\\n\u00a0--mount=type=bind,source=l,target=/h id",
                // ONBUILD triggers are parsed anew where they run: none are made, and no base image with them is taken.
                "ONBUILD RUN -\\\nONBUILD -mount=type=bind,source=l,target=/h id", "FROM triggered\nRUN true", "FROM absent:1\nRUN true")) {
            assertThat(build("t=app", tar(false, "Containerfile", "FROM shared\n" + run + "\n"))).as(run).startsWith("HTTP/1.1 403 ");
        }
        assertThat(send(post("/v4.3.1/libpod/images/pull?reference=docker%3A%2F%2F127.0.0.1%3A5000%2Fx&policy=always", ""))).startsWith("HTTP/1.1 403 ")
                .contains("not an image reference");
        assertThat(send(post("/v4.3.1/libpod/images/pull?reference=dir%3A%2Fhome%2Fu&policy=always", ""))).startsWith("HTTP/1.1 403 ");
        assertThat(podman.forwarded()).isEmpty();

        byte[] good = tar(true, "Containerfile", "# escape=`\nFROM shared AS base\nCOPY --from=base /a /b\nADD https://203.0.113.9/x.tgz /x\n"
                + "RUN --mount=type=tmpfs,target=/t,size=64m echo ok\nRUN pip install --prefix=$HOME/x --upgrade pip\nRUN yarn install --network-timeout 600000\n");
        assertThat(build("t=app&dockerfile=" + file, good)).startsWith("HTTP/1.1 200 ");
        // Podman gets a plain tar of Burrow's writing (not the gzip sent), holding the Containerfile Burrow read.
        assertThat(podman.forwarded()).hasSize(1).allSatisfy(r -> assertThat(r).contains("Containerfile\u0000", "ustar\u000000", "RUN --mount=type=tmpfs")
                .doesNotContain("Transfer-Encoding"));
        start(NetworkPolicy.ALLOWLIST);
        assertThat(build("t=app&dockerfile=" + file, good)).startsWith("HTTP/1.1 403 ").contains("outside this session's allowlist network policy");
    }

    /** A sibling with a network of its own is in the session's user namespace too: else its root owns the session's. */
    @Test
    void everySiblingRunsInTheSessionsUserNamespace() throws Exception {
        assertThat(send(post("/v4.3.1/libpod/containers/create", "{\"image\":\"x\",\"netns\":{\"nsmode\":\"none\"}}"))).startsWith("HTTP/1.1 200 ");
        assertThat(send(post("/v1.41/containers/create", "{\"Image\":\"x\",\"NetworkDisabled\":true}"))).startsWith("HTTP/1.1 200 ");
        assertThat(send(post("/v1.41/containers/create", "{\"Image\":\"x\",\"HostConfig\":{\"NetworkMode\":\"none\"}}"))).startsWith("HTTP/1.1 200 ");
        List<String> sent = podman.forwarded();
        assertThat(sent.get(0)).contains("\"netns\":{\"nsmode\":\"none\"}", "\"userns\":{\"nsmode\":\"container\",\"value\":\"" + StandInPodman.SESSION_CONTAINER + "\"}");
        for (String docker : sent.subList(1, 3)) {
            assertThat(docker).contains("\"NetworkMode\":\"none\"", "\"UsernsMode\":\"container:" + StandInPodman.SESSION_CONTAINER + "\"");
        }
    }

    @Test
    void underTheProxiedPoliciesSiblingsGetTheSessionsProxy() throws Exception {
        start(NetworkPolicy.NONE);
        assertThat(send(post("/v4.3.1/libpod/containers/create", "{\"image\":\"x\",\"env\":{\"A\":\"1\"}}"))).startsWith("HTTP/1.1 200 ");
        assertThat(podman.forwarded().getFirst()).contains("\"env\":{\"A\":\"1\",\"HTTPS_PROXY\":\"http://127.0.0.1:3128\"}")
                .contains("\"netns\":{\"nsmode\":\"container\",\"value\":\"" + StandInPodman.SESSION_CONTAINER + "\"}");
        // Builds join the session's build network there too, never the session container's: a RUN step is root of
        // Podman's user namespace, and the agent could hand it the session's namespaces over an abstract unix socket.
        assertThat(build("/v1.41/build", "t=app", tar(false, "Dockerfile", "FROM shared\nRUN true\n"))).startsWith("HTTP/1.1 200 ");
        assertThat(binds.networks).containsEntry(tmp.resolve("pins/net"), StandInPodman.BUILD_NETWORK);
    }

    @Test
    void eventsAreTheSessionsOwn() throws Exception {
        assertThat(send(get("/v4.3.1/libpod/events?stream=false&filters=%7B%22label%22%3A%5B%22burrow.sibling-of%3Ds2%22%5D%7D"))).startsWith("HTTP/1.1 200 ");
        assertThat(podman.forwarded().getFirst()).startsWith("GET /v4.3.1/libpod/events?stream=false&filters=%7B%22label%22%3A%5B%22burrow.sibling-of%3Ds1%22%5D%7D ");
    }

    @Test
    void buildsOfEitherApiRunInTheSessionsNetworkNamespaceNeverTheHosts() throws Exception {
        // Podman's Docker API runs RUN steps in the host's network namespace when nsoptions is absent.
        byte[] context = tar(false, "Dockerfile", "FROM shared\nRUN true\n");
        String pinned = java.net.URLEncoder.encode("[{\"Name\":\"network\",\"Host\":false,\"Path\":\"" + tmp.resolve("pins/net") + "\"}]", StandardCharsets.UTF_8)
                .replace("+", "%20");
        for (String query : List.of("t=app", "t=app&networkmode=host", "t=app&NetworkMode=none", "t=app&nsoptions=%5B%5D",
                "t=app&nsoptions=%5B%7B%22Name%22%3A%22network%22%2C%22Host%22%3Afalse%7D%5D")) {
            podman.received.clear();
            String answer = build("/v1.41/build", query, context);
            if (query.contains("host")) {
                assertThat(answer).startsWith("HTTP/1.1 403 ");
                continue;
            }
            assertThat(answer).as(query).startsWith("HTTP/1.1 200 ");
            assertThat(podman.forwarded().getFirst()).as(query).startsWith("POST /v1.41/build?t=localhost%2Fburrow-s-s1%2Flocalhost%2Fapp%2Fburrow-session%3Alatest&nsoptions=" + pinned + "&networkmode=0&pull=false&labels=");
        }
        // Under full, the network of the session's build network container (whose namespace the session's user namespace does not own).
        assertThat(binds.networks).containsEntry(tmp.resolve("pins/net"), StandInPodman.BUILD_NETWORK);
        assertThat(build("/v1.41/build", "t=app&nsoptions=%5B%7B%22Name%22%3A%22network%22%2C%22Path%22%3A%22%2Fproc%2F1%2Fns%2Fnet%22%7D%5D", context))
                .startsWith("HTTP/1.1 403 ");
        // Go reads JSON names in any letter case: a lower-case host pid namespace is the host's all the same.
        for (String ns : List.of("[{\"name\":\"pid\",\"host\":true}]", "[{\"Name\":\"ipc\",\"HOST\":true}]", "[{\"nAmE\":\"uts\",\"path\":\"/proc/1/ns/uts\"}]",
                "[{\"Name\":\"pid\",\"Host\":false,\"host\":true}]", "[{\"Name\":\"pid\",\"Extra\":1}]", "{\"Name\":\"pid\"}")) {
            podman.received.clear();
            assertThat(build("/v4.3.1/libpod/build", "t=app&nsoptions=" + java.net.URLEncoder.encode(ns, StandardCharsets.UTF_8), context))
                    .as(ns).matches("(?s)HTTP/1.1 40[03] .*");
            assertThat(podman.forwarded()).as(ns).isEmpty();
        }
        // Private namespaces pass, and only Burrow's network entry goes on.
        podman.received.clear();
        assertThat(build("/v4.3.1/libpod/build", "t=app&nsoptions=" + java.net.URLEncoder.encode("[{\"Name\":\"pid\",\"Host\":false},{\"Name\":\"user\",\"Host\":true}]",
                StandardCharsets.UTF_8), context)).startsWith("HTTP/1.1 200 ");
        assertThat(podman.forwarded().getFirst()).contains("nsoptions=" + pinned + "&");
        // Names go on as Podman's API spells them: it looks some up only so ("dockerfile"), and would build another file.
        byte[] two = tar(false, "Containerfile", "FROM shared\n", "safe", "FROM shared\nRUN true\n");
        for (String q : List.of("t=app&Dockerfile=safe", "t=app&dockerfile=%5B%22safe%22%5D", "t=app&DOCKERFILE=safe&BuildArgs=%7B%7D")) {
            podman.received.clear();
            assertThat(build("/v4.3.1/libpod/build", q, two)).as(q).startsWith("HTTP/1.1 200 ");
            String first = podman.forwarded().getFirst().lines().findFirst().orElseThrow();
            assertThat(first).as(q).contains("&dockerfile=safe").doesNotContain("Dockerfile").doesNotContain("DOCKERFILE").doesNotContain("BuildArgs");
        }
        assertThat(build("/v4.3.1/libpod/build", "t=app&dockerfile=%5B%22safe%22%2C%22Containerfile%22%5D", two)).startsWith("HTTP/1.1 403 ");
        assertThat(build("/v4.3.1/libpod/build", "t=app&dockerfile=safe&Dockerfile=Containerfile", two)).startsWith("HTTP/1.1 400 ");
        // Names beyond ASCII fold differently in Go and Java (ſ is s to Go, ﬁ is not fi, İ is not i): refused.
        for (String name : List.of("buildarg%C5%BF", "docker%EF%AC%81le", "%C4%B0mages")) {
            assertThat(build("/v4.3.1/libpod/build", "t=app&" + name + "=x", two)).as(name).startsWith("HTTP/1.1 400 ");
        }
    }

    @Test
    void aWorkspaceSubdirectoryIsBoundThroughItsPin() throws Exception {
        String libpod = "{\"image\":\"shared\",\"mounts\":[{\"destination\":\"/h\",\"type\":\"bind\",\"source\":\"/workspace/sub/\"}]}";
        assertThat(send(post("/v4.3.1/libpod/containers/create", libpod))).startsWith("HTTP/1.1 200 ");
        Path pin = tmp.resolve("pins/d1");
        assertThat(binds.bound).containsEntry(pin, workspace.resolve("sub").toRealPath());
        assertThat(podman.forwarded().getLast()).contains("\"source\":\"" + pin + "\"");
        String docker = "{\"Image\":\"shared\",\"HostConfig\":{\"Binds\":[\"/workspace/sub:/app:ro\"]}}";
        assertThat(send(post("/v1.41/containers/create", docker))).startsWith("HTTP/1.1 200 ");
        assertThat(podman.forwarded().getLast()).contains("\"Binds\":[\"" + pin + ":/app:ro\"]");
        assertThat(binds.bound).hasSize(1);
    }
}
