package dev.burrow.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.agent.AgentEvent;
import dev.burrow.container.NetworkPolicy;
import dev.burrow.session.NewSession;
import dev.burrow.session.Session;
import dev.burrow.session.SessionMode;
import dev.burrow.session.SessionState;
import dev.burrow.store.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session's Podman socket, driven by the real Claude Code (the scripted model has it run
 * podman, docker and curl as Bash commands): what an agent needs works, and every way from the
 * socket to the host, to another session or past the session's network is refused; the host
 * is checked afterwards.
 */
class PodmanSocketIT {
    @TempDir
    Path tmp;

    @RegisterExtension
    final LiveBurrow live = LiveBurrow.engine();

    private Session start(String command, NetworkPolicy policy) throws Exception {
        Path repo = TestEnv.repo(tmp.resolve("repo-" + System.nanoTime()));
        // A script of many lines reaches the agent whole as one base64 word.
        String b64 = Base64.getEncoder().encodeToString(command.getBytes(StandardCharsets.UTF_8));
        Session s = live.burrow.sessions().create(new NewSession(repo.toString(), null, "BASH: echo " + b64 + " | base64 -d | bash 2>&1",
                SessionMode.CHAT, null, policy), p -> { });
        Eventually.await(Duration.ofSeconds(300), "the command's turn to end", () -> {
            SessionState st = live.burrow.sessions().get(s.id()).state();
            return st != SessionState.RUNNING && st != SessionState.CREATING;
        });
        return s;
    }

    private String output(Session s) {
        StringBuilder out = new StringBuilder();
        for (StoredEvent e : live.burrow.sessions().events(s.id(), 0)) {
            if (e.event() instanceof AgentEvent.ToolResults r) out.append(r.message().toString());
        }
        return out.toString().replace("\\n", "\n").replace("\\\"", "\"");
    }

    private static String labelled(String kind, String session) throws Exception {
        String format = kind.equals("images") ? "{{.ID}}" : "{{.Name}}";
        String[] cmd = kind.equals("ps") ? new String[] {"ps", "-a", "--filter", "label=burrow.sibling-of=" + session, "--format", "{{.Names}}"}
                : kind.equals("images") ? new String[] {"images", "--filter", "label=burrow.sibling-of=" + session, "--format", format}
                : new String[] {kind, "ls", "--filter", "label=burrow.sibling-of=" + session, "--format", format};
        return TestEnv.podman(cmd);
    }

    /**
     * A second request behind a detached exec start, which asks for a stream that Podman then
     * does not take over (the red team's way past the filter): it must never reach Podman.
     */
    private static final String SMUGGLE = """
            import json, socket
            def req(raw):
                s = socket.socket(socket.AF_UNIX)
                s.connect("/run/podman/podman.sock")
                s.sendall(raw)
                s.settimeout(5)
                out = b""
                try:
                    while True:
                        d = s.recv(65536)
                        if not d:
                            break
                        out += d
                except OSError:
                    pass
                return out
            def post(path, body, extra=b""):
                b = json.dumps(body).encode()
                return (b"POST " + path.encode() + b" HTTP/1.1\\r\\nHost: d\\r\\nContent-Type: application/json\\r\\n" + extra
                        + b"Content-Length: " + str(len(b)).encode() + b"\\r\\n\\r\\n" + b)
            def js(r):
                return json.loads(r[r.index(b"{"):r.rindex(b"}") + 1])
            cid = js(req(post("/v4.3.1/libpod/containers/create", {"image": "%s", "command": ["sleep", "300"]})))["Id"]
            req(b"POST /v4.3.1/libpod/containers/" + cid.encode() + b"/start HTTP/1.1\\r\\nHost: d\\r\\nContent-Length: 0\\r\\n\\r\\n")
            eid = js(req(post("/v4.3.1/libpod/containers/" + cid + "/exec", {"Cmd": ["true"]})))["Id"]
            evil = post("/v4.3.1/libpod/containers/create", {"image": "%1$s", "command": ["true"], "name": "smuggled-by-exec", "privileged": True})
            answer = req(post("/v4.3.1/libpod/exec/" + eid + "/start", {"Detach": True}, b"Upgrade: tcp\\r\\nConnection: Upgrade\\r\\n") + evil)
            print("exec-start-answered " + answer.split(b"\\r\\n")[0].decode())
            """;

    /** Opens quiet event streams on the session's Podman socket, reads their answers' heads, and goes away without closing them. */
    private static final String QUIET_STREAMS = """
            import socket
            held, answered = [], 0
            for i in range(100):
                s = socket.socket(socket.AF_UNIX)
                s.connect("/run/podman/podman.sock")
                s.sendall(b"GET /v4.3.1/libpod/events?stream=true HTTP/1.1\\r\\nHost: d\\r\\n\\r\\n")
                s.settimeout(10)
                answered += s.recv(12).startswith(b"HTTP/1.1 200")
                held.append(s)
            print("quiet streams opened", len(held), "answered", answered)
            """;

    @Test
    void quietStreamsWhoseClientsWentAwayAreClosedOnPodmansSideAfterTheGrace() throws Exception {
        long before = openFds();
        Session s = start("python3 - <<'EOF'\n" + QUIET_STREAMS + "EOF\n", NetworkPolicy.FULL);
        assertThat(output(s)).contains("quiet streams opened 100 answered 100");
        // The script exited: its ends are gone. Podman's ends of the quiet streams are closed after the grace (30 s), not held for ever.
        Eventually.await(Duration.ofSeconds(60), "Podman's ends of the gone clients' streams closed", () -> openFds() - before < 40);
    }

    private static long openFds() throws java.io.IOException {
        try (var fds = java.nio.file.Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void siblingsRunTalkBuildMountTheWorkspaceAndGoWithTheSession() throws Exception {
        String image = live.burrow.sessions().runnerImage();
        String script = """
                I=%s; N=$RANDOM$RANDOM
                podman run --rm $I echo sibling-$((6*7))
                echo "oom: session $(cat /proc/self/oom_score_adj), sibling $(podman run --rm $I cat /proc/self/oom_score_adj)"
                L="awk '/Max processes/ {print \\$4}' /proc/self/limits"
                echo "nproc: session $(sh -c "$L"), sibling $(podman run --rm $I sh -c "$L"), docker $(docker run --rm $I sh -c "$L")"
                docker run -d --name web-$N $I python3 -m http.server 8099 > /dev/null
                podman run -d --name loner-$N --network none $I sleep 600 > /dev/null
                sleep 2
                podman run --rm $I curl -s -o /dev/null -w 'talked-%%{http_code}\\n' http://localhost:8099/
                docker logs web-$N 2>&1 | grep -q 'GET /' && echo logs-seen
                mkdir -p /workspace/sub && echo from-the-workspace > /workspace/sub/f.txt
                podman run --rm -v /workspace:/app -w /app/sub $I cat f.txt
                podman run --rm -u 0 -v /workspace/sub:/x $I sh -c 'cat /x/f.txt | tr a-z A-Z; echo written-by-sibling > /x/w.txt' && cat /workspace/sub/w.txt
                docker run --rm -v /workspace/sub/:/x:ro $I cat /x/w.txt | sed 's/^/docker-/'
                mkdir -p /tmp/ctx2 && printf 'FROM %%s\nRUN curl -s -o /dev/null -w "build-talked-%%%%{http_code}" http://localhost:8099/\n' $I > /tmp/ctx2/Dockerfile
                tar -C /tmp/ctx2 -cf /tmp/ctx2.tar . && curl -s --unix-socket /run/podman/podman.sock -H 'Content-Type: application/x-tar' --data-binary @/tmp/ctx2.tar 'http://d/v1.41/build?nocache=1' | grep -o 'build-talked-[0-9]*'
                mkdir -p /tmp/ctx && printf 'FROM %%s\\nRUN echo built-$((40+2)) > /tmp/built\\n' $I > /tmp/ctx/Containerfile
                podman build -q -t mytool-$N /tmp/ctx > /dev/null && podman run --rm mytool-$N cat /tmp/built
                podman volume create data-$N > /dev/null && podman run --rm -v data-$N:/d $I sh -c 'echo kept > /d/x && cat /d/x'
                podman network create n1-$N > /dev/null && echo network-made
                sudo mkdir -p /workspace/by-root/deep && sudo touch /workspace/by-root/deep/f && sudo chmod 700 /workspace/by-root /workspace/by-root/deep
                podman ps --format '{{.Names}}' | tr '\\n' ' '; echo
                """.formatted(image);
        Session s = start(script, NetworkPolicy.FULL);
        String out = output(s);
        if (!out.contains("network-made")) live.burrow.sessions().delete(s.id()); // leave nothing behind for the next run
        // Where memory limits cannot hold, the kernel picks the session's processes and its siblings' before Burrow's.
        assertThat(out).contains("oom: session 1000, sibling 1000");
        // And a ceiling on the user's processes, which holds where the cgroup's pids limit does not.
        int nproc = dev.burrow.container.Limits.NONE.nproc();
        assertThat(out).contains("nproc: session " + nproc + ", sibling " + nproc + ", docker " + nproc);
        assertThat(out).contains("sibling-42", "talked-200", "logs-seen", "from-the-workspace", "built-42", "kept", "network-made");
        // A workspace subdirectory, read and written through its pin; a build's RUN step in the session's network (its sibling's server).
        assertThat(out).contains("FROM-THE-WORKSPACE", "written-by-sibling", "docker-written-by-sibling");
        // Under full a build's RUN steps have a guarded network of their own, not the session's: a RUN step is root of Podman's
        // user namespace, which owns the session's, and would own its guard. The sibling's server is not there.
        assertThat(out).contains("build-talked-000");
        assertThat(labelled("ps", s.id())).contains("web", "loner");
        assertThat(labelled("volume", s.id())).contains("data");
        assertThat(labelled("network", s.id())).contains("n1");
        assertThat(labelled("images", s.id())).isNotBlank();

        // Siblings go when the session's container does (those on its network with it, one on a network of its own, none,
        // removed by their label); what they kept stays until the session is deleted.
        live.burrow.sessions().stop(s.id());
        assertThat(TestEnv.podman("ps", "-a", "--filter", "label=burrow.session=" + s.id(), "--format", "{{.Names}}")).isBlank();
        assertThat(labelled("ps", s.id())).isBlank();
        assertThat(labelled("volume", s.id())).contains("data");
        Path sessionDir = live.burrow.sessions().get(s.id()).dir();
        live.burrow.sessions().delete(s.id());
        for (String kind : new String[] {"ps", "volume", "network", "images"}) assertThat(labelled(kind, s.id())).as(kind).isBlank();
        // Files root made in the session (owned by the user's subordinate ids) go with it too.
        assertThat(sessionDir).doesNotExist();
    }

    /**
     * What a session builds or tags never answers to a name the user's tools resolve: the user's
     * own podman run alpine:3.19 would have run it, with whatever the user mounts. The session
     * sees its images under the names it gave; another session cannot reach them; they go with it.
     */
    @Test
    void aSessionsImagesNeverTakeANameTheUserRuns() throws Exception {
        String image = live.burrow.sessions().runnerImage();
        String script = """
                I=%s
                mkdir -p /tmp/c && printf 'FROM %%s\nRUN echo planted > /tmp/planted\n' $I > /tmp/c/Containerfile
                podman build -q -t docker.io/library/alpine:3.19 /tmp/c > /dev/null && echo built-alpine
                podman tag alpine:3.19 quay.io/org/tool:1 && echo tagged-quay
                curl -s -X POST --unix-socket /run/podman/podman.sock 'http://d/v1.41/images/alpine:3.19/tag?repo=debian&tag=bookworm-slim' -o /dev/null -w 'docker-tag-%%{http_code}\n'
                echo "run-$(podman run --rm --pull=never alpine:3.19 cat /tmp/planted)"
                echo "run-quay-$(docker run --rm quay.io/org/tool:1 cat /tmp/planted)"
                podman images --format '{{.Repository}}:{{.Tag}}' | grep -E 'alpine|tool|debian' | sed 's/^/listed-/'
                """.formatted(image);
        Session s = start(script, NetworkPolicy.FULL);
        try {
            imagesOfTheirOwn(s, output(s));
        } finally {
            // Deleting it removes its names: a run that failed half-way leaves none to the next.
            live.burrow.sessions().delete(s.id());
        }
        assertThat(TestEnv.podman("images", "--format", "{{.Repository}}:{{.Tag}}")).doesNotContain(dev.burrow.container.ContainerEngine.imageSpace(s.id()));
    }

    private void imagesOfTheirOwn(Session s, String out) throws Exception {
        assertThat(out).contains("built-alpine", "tagged-quay", "docker-tag-201", "run-planted", "run-quay-planted",
                "listed-docker.io/library/alpine:3.19", "listed-quay.io/org/tool:1",
                // Podman names a short name this machine's, through Docker's API too.
                "listed-localhost/debian:bookworm-slim");
        assertThat(out).doesNotContain("burrow-s-");
        for (String name : new String[] {"docker.io/library/alpine:3.19", "alpine:3.19", "quay.io/org/tool:1", "debian:bookworm-slim",
                "localhost/debian:bookworm-slim", "docker.io/library/debian:bookworm-slim"}) {
            assertThat(TestEnv.podmanExit("image", "exists", name)).as("the user's podman has " + name).isNotZero();
        }
        String space = dev.burrow.container.ContainerEngine.imageSpace(s.id());
        assertThat(TestEnv.podman("images", "--format", "{{.Repository}}:{{.Tag}}")).contains(space + "docker.io/library/alpine/burrow-session:3.19");

        // Another session finds none of them, by the names the first gave or by Burrow's.
        Session other = start("""
                echo "other-$(podman run --rm --pull=never alpine:3.19 cat /tmp/planted 2>&1 | tail -1)"
                echo "other-by-space-$(podman run --rm --pull=never %s cat /tmp/planted 2>&1 | tail -1)"
                """.formatted(space + "docker.io/library/alpine/burrow-session:3.19"), NetworkPolicy.FULL);
        String theirs = output(other);
        assertThat(theirs).contains("other-").doesNotContain("other-planted", "other-by-space-planted");
        live.burrow.sessions().delete(other.id());
    }

    @Test
    void theSocketIsNoWayToTheHostNorToAnotherSession() throws Exception {
        String image = live.burrow.sessions().runnerImage();
        Path hostDir = Files.createDirectories(tmp.resolve("host-home"));
        Files.writeString(hostDir.resolve("secret"), "host-secret-" + "4242");
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        // A base image with ONBUILD triggers (as one pulled from a registry may carry): buildah parses them anew in the build.
        Path onbuild = Files.createDirectories(tmp.resolve("onbuild"));
        Files.writeString(onbuild.resolve("Containerfile"), "FROM " + image + "\nONBUILD RUN echo trigger\n");
        assertThat(TestEnv.podmanExit("build", "-q", "--format", "docker", "-t", "localhost/onbuild-base:1", onbuild.toString())).isZero();
        // A service on the host's loopback, which a build's RUN step could reach through slirp4netns's gateway.
        var loopbackHits = new java.util.concurrent.atomic.AtomicInteger();
        var loopback = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        loopback.createContext("/", ex -> {
            loopbackHits.incrementAndGet();
            byte[] b = "HOST-LOOPBACK-REACHED".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        loopback.start();
        // Another session with a container of its own.
        Session victim = start("podman run -d --name victim " + image + " sleep 600 > /dev/null && echo victim-up", NetworkPolicy.FULL);
        assertThat(output(victim)).contains("victim-up");
        String victimId = TestEnv.podman("ps", "--filter", "label=burrow.sibling-of=" + victim.id(), "--format", "{{.ID}}").strip();
        String victimSession = live.burrow.sessions().get(victim.id()).containerId();

        String script = """
                I=%1$s; H=%2$s
                t() { echo "== $1"; shift; "$@" 2>&1 | tail -1; }
                t privileged podman run --rm --privileged $I true
                t home-bind podman run --rm -v $H:/h $I cat /h/secret
                t home-write docker run --rm -v $H:/h $I sh -c 'echo pwned > /h/pwned'
                t root-mount docker run --rm --mount type=bind,src=/,dst=/h $I ls /h
                ln -s $H /workspace/escape
                t link-bind podman run --rm -v /workspace/escape:/h $I cat /h/secret
                mkdir -p /workspace/swap && podman create --name swap-$$ -v /workspace:/data %1$s true > /dev/null
                rm -rf /workspace/swap && ln -s $H /workspace/swap
                t cp-through-swap podman cp swap-$$:/data/swap/secret /tmp/stolen
                t cp-check cat /tmp/stolen
                mkdir -p /workspace/race/sub && ln -s $H /workspace/race/lnk
                python3 -c 'import ctypes,os; f=ctypes.CDLL(None).renameat2; os.chdir("/workspace/race"); [f(-100, b"sub", -100, b"lnk", 2) for _ in iter(int, 1)]' & P=$!
                echo "== sub-bind-race"; for i in 1 2 3 4 5 6 7 8 9 10 11 12; do podman run --rm -v /workspace/race/sub:/x $I cat /x/secret 2>&1 | cut -c1-60; done | sort | uniq -c
                kill $P
                t compat-build-loopback sh -c 'mkdir -p /tmp/b6 && printf "FROM %1$s\nRUN curl -s -m 4 http://127.0.0.1:%6$s/ || echo compat-build-had-no-host\n" > /tmp/b6/Dockerfile && tar -C /tmp/b6 -cf /tmp/b6.tar . && curl -s --unix-socket /run/podman/podman.sock -H "Content-Type: application/x-tar" --data-binary @/tmp/b6.tar "http://d/v1.41/build?nocache=1" | grep -oE "compat-build-had-no-host|HOST-LOOPBACK-REACHED" | tail -1'
                t host-net podman run --rm --network host $I true
                t host-pid podman run --rm --pid host $I true
                t cap-add podman run --rm --cap-add ALL $I true
                t seccomp podman run --rm --security-opt seccomp=unconfined $I true
                t volumes-from podman run --rm --volumes-from %3$s $I true
                t join-session podman run --rm --network container:%4$s $I true
                t exec-victim podman exec %3$s sh -c 'echo pwned > /tmp/pwned'
                t stop-victim podman stop victim
                t list podman ps -a --format '{{.Names}}'
                t volume-bind podman volume create --opt type=none --opt o=bind --opt device=$H hv
                t cache podman run --rm -v burrow-cache-maven:/c $I true
                printf 'apiVersion: v1\\nkind: Pod\\nmetadata:\\n  name: attackpod\\nspec:\\n  containers:\\n  - name: c\\n    image: %1$s\\n' > /tmp/k.yaml
                t kube podman play kube /tmp/k.yaml
                t compat-privileged curl -s --unix-socket /run/podman/podman.sock -H 'Content-Type: application/json' -d '{"Image":"%1$s","HostConfig":{"Privileged":true}}' http://d/v1.41/containers/create
                t compat-caseless curl -s --unix-socket /run/podman/podman.sock -H 'Content-Type: application/json' -d '{"Image":"%1$s","HostConfig":{"privileged":true}}' http://d/v1.41/containers/create
                t env-from-host curl -s --unix-socket /run/podman/podman.sock -H 'Content-Type: application/json' -d '{"Image":"%1$s","Env":["ANTHROPIC_API_KEY","BURROW*"]}' http://d/v1.41/containers/create
                t env-from-host-podman podman run --rm --env 'BURROW*' $I env
                t smuggle python3 -c 'import socket; s = socket.socket(socket.AF_UNIX); s.connect("/run/podman/podman.sock"); s.sendall(b"POST /v1.41/containers/create HTTP/1.1\\r\\nHost: d\\r\\nContent-Length: 4\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n"); print(s.recv(100).split(b"\\r\\n")[0].decode())'
                t smuggle-exec sh -c 'echo %5$s | base64 -d | python3'
                mkdir -p /tmp/b3 && ln -sfn / /tmp/b3/rootlink && printf 'FROM %1$s\nRUN --mount=type=bind,source=rootlink,target=/h cat /h$H/secret\n' > /tmp/b3/Containerfile
                t bind-mount-build podman build --no-cache /tmp/b3
                mkdir -p /tmp/b10 && ln -sfn / /tmp/b10/l && printf 'FROM %1$s\nENV X=,type=bind,source=l,target=/h\nRUN --mount=type=tmpfs,target=/t$X cat /h$H/secret\n' > /tmp/b10/Containerfile
                t mount-variable-build podman build --no-cache /tmp/b10
                mkdir -p /tmp/b11 && ln -sfn / /tmp/b11/l && printf 'FROM %1$s\nRUN \\\n\n--mount=type=bind,source=l,target=/h cat /h$H/secret\n' > /tmp/b11/Containerfile
                t blank-line-build podman build --no-cache /tmp/b11
                mkdir -p /tmp/b12 && printf 'FROM localhost/onbuild-base:1\nRUN true\n' > /tmp/b12/Containerfile
                t onbuild-base podman build --no-cache /tmp/b12
                mkdir -p /tmp/b13 && printf 'FROM %1$s\nONBUILD RUN -\\\nONBUILD -mount=type=bind,source=l,target=/h true\n' > /tmp/b13/Containerfile
                t onbuild-made podman build --format docker /tmp/b13
                mkdir -p /tmp/b5 && printf 'FROM %1$s\nRUN --mount=type=cache,id=../../../../../..$H,target=/h cat /h/secret\n' > /tmp/b5/Containerfile
                t cache-id-build podman build --no-cache /tmp/b5
                mkdir -p /tmp/b4 && printf 'FROM %1$s\nRUN curl -s -m 4 http://10.0.2.2:%6$s/ || echo build-had-no-network\n' > /tmp/b4/Containerfile
                t build-network sh -c 'podman build --no-cache /tmp/b4 2>&1 | grep -E "build-had-no-network|HOST" | tail -1'
                t ns-case curl -s --unix-socket /run/podman/podman.sock -X POST -H "Content-Type: application/x-tar" --data-binary @/tmp/b6.tar "http://d/v4.3.1/libpod/build?nsoptions=%%5B%%7B%%22name%%22%%3A%%22pid%%22%%2C%%22host%%22%%3Atrue%%7D%%5D"
                mkdir -p /tmp/b7 && ln -sfn / /tmp/b7/rootlink && printf 'FROM %1$s\nRUN --mount=type=bind,source=rootlink,target=/h cat /h$H/secret\n' > /tmp/b7/Containerfile && printf 'FROM %1$s\nRUN echo safe-built\n' > /tmp/b7/safe && tar -C /tmp/b7 -cf /tmp/b7.tar .
                t dockerfile-case sh -c 'curl -s --unix-socket /run/podman/podman.sock -X POST -H "Content-Type: application/x-tar" --data-binary @/tmp/b7.tar "http://d/v4.3.1/libpod/build?nocache=1&Dockerfile=safe" | grep -oE "safe-built|host-secret-[0-9]+" | tail -1'
                mkfifo /workspace/ff
                t fifo-bind timeout 30 podman run --rm -v /workspace/ff:/x $I true
                t form-tag curl -s --unix-socket /run/podman/podman.sock -X POST -H "Content-Type: application/x-www-form-urlencoded" --data "repo=localhost/burrow-runner&tag=evil2" "http://d/v4.3.1/libpod/images/%1$s/tag?repo=localhost/mine&tag=1"
                t remove-unnamed curl -s --unix-socket /run/podman/podman.sock -X DELETE "http://d/v4.3.1/libpod/images/remove"
                mkdir -p /tmp/b8 && printf 'ARG IMG=%1$s\nARG IMG=127.0.0.1:%6$s/red/x:1\nFROM ${IMG}\n' > /tmp/b8/Containerfile
                t arg-twice podman build /tmp/b8
                mkdir -p /tmp/b9 && printf 'FROM %1$s\n' > /tmp/b9/Containerfile && podman build -q -t 127.0.0.1:%6$s/red/y:1 /tmp/b9 > /dev/null 2>&1
                printf 'FROM 127.0.0.1:%6$s/red/y:1\nRUN echo always-pull-built\n' > /tmp/b9/Containerfile
                t pull-always-build sh -c 'podman build --pull=always /tmp/b9 2>&1 | grep -E "always-pull-built|HOST|Error" | tail -1'
                t runner-tag podman tag %1$s localhost/burrow-runner:evil
                t runner-rmi podman rmi -f %1$s
                echo == done
                """.formatted(image, hostDir, victimId, victimSession, java.util.Base64.getEncoder().encodeToString(SMUGGLE.formatted(image)
                        .getBytes(StandardCharsets.UTF_8)), loopback.getAddress().getPort());
        Session s = start(script, NetworkPolicy.FULL);
        String out = output(s);
        assertThat(out).contains("== done");
        loopback.stop(0);
        assertThat(out).containsPattern("== build-network\n[^=]*build-had-no-network");
        assertThat(out).containsPattern("== compat-build-loopback\n[^=]*compat-build-had-no-host");
        // The Containerfile Burrow checked is the one Podman builds, however the client spells the parameter.
        assertThat(out).containsPattern("== dockerfile-case\nsafe-built");
        // --pull=always would have the host's Podman fetch the image Burrow saw was here: it pulls what is missing only.
        assertThat(out).containsPattern("== pull-always-build\n[^=]*always-pull-built");
        assertThat(loopbackHits.get()).as("requests from a build that reached the host's loopback").isZero();
        for (String refused : new String[] {"bind-mount-build", "mount-variable-build", "blank-line-build", "onbuild-base", "onbuild-made", "cache-id-build", "privileged", "home-bind", "home-write", "root-mount", "link-bind", "host-net", "host-pid", "cap-add", "seccomp",
                "volumes-from", "join-session", "exec-victim", "stop-victim", "volume-bind", "cache", "kube", "compat-privileged", "compat-caseless",
                "runner-tag", "runner-rmi", "env-from-host", "ns-case", "fifo-bind", "form-tag", "remove-unnamed", "arg-twice"}) {
            assertThat(out).as(refused).containsPattern("== " + refused + "\\n[^=]*burrow: ");
        }
        assertThat(out).doesNotContain("host-secret-4242").doesNotContain("victim\n== volume");
        // Nothing of Burrow's own environment reaches a sibling, whatever the client asks for (the model key is the test's).
        assertThat(out).doesNotContain(live.burrow.config().apiKey()).doesNotContain("BURROW_DATA_DIR=");
        // On the host: the home untouched, the other session's container running and unvisited, Burrow's image intact.
        assertThat(hostDir.resolve("pwned")).doesNotExist();
        assertThat(TestEnv.podman("inspect", "--format", "{{.State.Running}}", victimId)).isEqualTo("true");
        assertThat(TestEnv.podman("exec", victimId, "sh", "-c", "ls /tmp/pwned 2>&1 || true")).contains("No such file");
        assertThat(TestEnv.podman("images", "--format", "{{.Repository}}:{{.Tag}}")).doesNotContain("burrow-runner:evil").doesNotContain("evil2").contains(image);
        assertThat(TestEnv.podman("pod", "ps", "--format", "{{.Name}}")).doesNotContain("attackpod");
        assertThat(out).contains("exec-start-answered HTTP/1.1 200");
        assertThat(TestEnv.podman("ps", "-a", "--format", "{{.Names}}")).doesNotContain("smuggled-by-exec");
        assertThat(out).containsPattern("== smuggle\\nHTTP/1.1 400 ");
        // Whatever the attacker made is labelled and leaves with its session.
        live.burrow.sessions().delete(s.id());
        for (String kind : new String[] {"ps", "volume", "network", "images"}) assertThat(labelled(kind, s.id())).as(kind).isBlank();
        live.burrow.sessions().delete(victim.id());
        assertThat(labelled("ps", victim.id())).isBlank();
    }

    @Test
    void underNoneSiblingsHaveTheSessionsNetworkAndTheHostFetchesNothingForThem() throws Exception {
        String own = TestEnv.machineAddress();
        var hits = new java.util.concurrent.atomic.AtomicInteger();
        var service = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(0), 0);
        service.createContext("/", ex -> {
            hits.incrementAndGet();
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        service.start();
        String url = "http://" + own + ":" + service.getAddress().getPort() + "/";
        try {
            String image = live.burrow.sessions().runnerImage();
            String script = """
                    I=%1$s
                    echo "== interfaces"; podman run --rm $I sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | tr "\n" " "; echo; echo "proxy=$HTTPS_PROXY"'
                    echo "== direct"; podman run --rm $I curl -s -m 5 --noproxy '*' -o /dev/null -w '%%{http_code}\n' %2$s
                    echo "== proxied"; podman run --rm $I curl -s -m 5 -o /dev/null -w '%%{http_code}\n' %2$s
                    echo "== pull"; podman pull docker.io/library/alpine:3.19 2>&1 | tail -1
                    mkdir -p /tmp/ctx && printf 'FROM %%s\nADD %2$s /x\n' $I > /tmp/ctx/Containerfile
                    echo "== add-url"; podman build -t fetcher /tmp/ctx 2>&1 | tail -1
                    printf 'FROM %%s\nRUN curl -s -m 5 --noproxy "*" %2$s || echo no-network\n' $I > /tmp/ctx/Containerfile
                    echo "== build-run"; podman build --no-cache -t runner-net-$RANDOM$RANDOM /tmp/ctx 2>&1 | grep -E 'no-network|Error' | tail -1
                    printf 'FROM %%s\nRUN curl -s -m 5 -o /dev/null -w "build-proxied-%%%%{http_code}" %2$s\n' $I > /tmp/ctx/Containerfile
                    echo "== build-proxied"; podman build --no-cache /tmp/ctx 2>&1 | grep -o 'build-proxied-[0-9]*' | tail -1
                    echo "== done"
                    """.formatted(image, url);
            Session s = start(script, NetworkPolicy.NONE);
            String out = output(s);
            assertThat(out).contains("== done");
            assertThat(out).containsPattern("== interfaces\nlo \nproxy=http://127.0.0.1:3128");
            assertThat(out).containsPattern("== direct\n000");
            assertThat(out).containsPattern("== proxied\n403");
            assertThat(out).containsPattern("== pull\nError: burrow: this session's network policy is none");
            assertThat(out).containsPattern("== add-url\nError: burrow: ADD http://[^ ]+ would be fetched on the host, outside this session's none network policy");
            assertThat(out).containsPattern("== build-run\nno-network");
            // A RUN step reaches the session's proxy (which refuses the host's service under none) from the build network.
            assertThat(out).containsPattern("== build-proxied\nbuild-proxied-403");
            assertThat(hits.get()).as("requests that reached the host's service").isZero();
            live.burrow.sessions().delete(s.id());
            for (String kind : new String[] {"ps", "volume", "network", "images"}) assertThat(labelled(kind, s.id())).as(kind).isBlank();
        } finally {
            service.stop(0);
        }
    }
}
