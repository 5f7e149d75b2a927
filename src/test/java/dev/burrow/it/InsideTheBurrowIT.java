package dev.burrow.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.Burrow;
import dev.burrow.agent.AgentEvent;
import dev.burrow.config.Config;
import dev.burrow.container.Limits;
import dev.burrow.host.Doctor;
import dev.burrow.session.NewSession;
import dev.burrow.session.Session;
import dev.burrow.session.SessionState;
import dev.burrow.store.StoredEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a session's agent can do that a cloud sandbox cannot: each capability is exercised by
 * the real Claude Code running the command with its Bash tool inside the session's container,
 * and the test checks the effect in the tool's output.
 */
class InsideTheBurrowIT {
    @TempDir
    Path tmp;

    @RegisterExtension
    final LiveBurrow live = LiveBurrow.engine();
    Session last;

    private List<AgentEvent> events(Session s) {
        return live.burrow.sessions().events(s.id(), 0).stream().map(StoredEvent::event).toList();
    }

    /** A repository with a .burrow/setup.sh (and whatever else is given as path, content pairs), committed. */
    private Path repoWith(String setup, String... files) throws Exception {
        Path repo = TestEnv.repo(tmp.resolve("repo-" + System.nanoTime()));
        Files.createDirectories(repo.resolve(".burrow"));
        Files.writeString(repo.resolve(".burrow/setup.sh"), setup);
        for (int i = 0; i + 1 < files.length; i += 2) Files.writeString(repo.resolve(files[i]), files[i + 1]);
        TestEnv.git(repo, "add", ".");
        TestEnv.git(repo, "-c", "user.name=T", "-c", "user.email=t@t", "commit", "-q", "-m", "setup");
        return repo;
    }

    /** Runs one command through Claude Code's Bash tool in a new session and returns the tool's output. */
    private String bash(String command) throws Exception {
        return bash(TestEnv.repo(tmp.resolve("repo-" + System.nanoTime())), command);
    }

    private String bash(Path repo, String command) throws Exception {
        Session s = live.burrow.sessions().create(new NewSession(repo.toString(), null, "BASH: " + command), p -> { });
        last = s;
        Eventually.await(Duration.ofSeconds(300), "the command's turn to end", () -> {
            SessionState st = live.burrow.sessions().get(s.id()).state();
            return st != SessionState.RUNNING && st != SessionState.CREATING;
        });
        StringBuilder out = new StringBuilder();
        for (StoredEvent e : live.burrow.sessions().events(s.id(), 0)) {
            if (e.event() instanceof AgentEvent.ToolResults r) out.append(r.message().toString());
        }
        return out.toString();
    }

    @Test
    void theAgentInstallsDebianPackagesWithSudo() throws Exception {
        String out = bash("sudo apt-get install -y -qq jq > /dev/null 2>&1; echo '{\"answer\": 42}' | jq -c '{apt: .answer}'");
        assertThat(out).contains("{\\\"apt\\\":42}");
    }

    @Test
    void theAgentInstallsNpmAndPipPackages() throws Exception {
        String npm = bash("cd /tmp && npm install --silent --no-audit --no-fund is-number@7.0.0 > /dev/null 2>&1; "
                + "node -e 'console.log(\"npm-ok\", require(\"/tmp/node_modules/is-number\")(5))'");
        assertThat(npm).contains("npm-ok true");
        // PyPI cannot be reached from the build machines: pip installs a package from a local tree instead.
        String pip = bash("mkdir -p /tmp/p/burrowdemo && cd /tmp/p && echo 'VALUE = 42' > burrowdemo/__init__.py && "
                + "printf '[build-system]\\nrequires = [\"setuptools\"]\\nbuild-backend = \"setuptools.build_meta\"\\n[project]\\nname = \"burrowdemo\"\\nversion = \"1.0\"\\n' > pyproject.toml && "
                + "pip install -q --no-build-isolation --no-index . > /tmp/pip.log 2>&1; cd / && python3 -c 'import burrowdemo; print(\"pip-ok\", burrowdemo.VALUE)' || tail -3 /tmp/pip.log");
        assertThat(pip).contains("pip-ok 42");
    }

    @Test
    void aDependencyOneSessionFetchedComesFromTheCacheInTheNextOfTheSameRepositoryOnly() throws Exception {
        // The suite shares one set of caches; this test has the default: a set per repository.
        live.burrow.close();
        live.burrow = dev.burrow.Burrow.start(TestEnv.config(live.dataDir(), live.model).withCacheScope(dev.burrow.container.Caches.Scope.REPOSITORY));
        Path repo = TestEnv.repo(tmp.resolve("cached-repo"));
        Path other = TestEnv.repo(tmp.resolve("other-repo"));
        try {
            String first = bash(repo, "cd /tmp && npm install --no-audit --no-fund is-number@7.0.0 > /tmp/npm.log 2>&1 && echo fetched-$((6*7)) || tail -3 /tmp/npm.log");
            assertThat(first).contains("fetched-42");
            // --offline: npm may not touch the network, only its cache (a volume of this repository's; this session's own disk is new).
            String offline = "cd /tmp && ls /tmp/node_modules 2>/dev/null; npm install --offline --no-audit --no-fund is-number@7.0.0 > /tmp/npm.log 2>&1 && "
                    + "node -e 'console.log(\"from-cache\", require(\"/tmp/node_modules/is-number\")(1))' || echo not-cached";
            assertThat(bash(repo, offline)).contains("from-cache true");
            // Another repository's sessions have caches of their own: nothing the first one's agent put there reaches them.
            assertThat(bash(other, offline)).contains("not-cached").doesNotContain("from-cache");
            String cacheVolumes = TestEnv.podman("volume", "ls", "--format", "{{.Name}}");
            assertThat(cacheVolumes).containsPattern("burrow-cache-npm-[0-9a-f]{12}").containsPattern("burrow-cache-maven-[0-9a-f]{12}");
        } finally {
            TestEnv.stopLive(live.burrow);
            for (Path r : List.of(repo, other)) {
                for (dev.burrow.container.Mount m : dev.burrow.container.Caches.mounts(dev.burrow.container.Caches.NAMES,
                        dev.burrow.container.Caches.Scope.REPOSITORY, dev.burrow.container.Caches.repositoryKey(null, r))) {
                    TestEnv.podman("volume", "rm", m.volume());
                }
            }
        }
    }

    @Test
    void theRepositorysSetupRunsBeforeTheFirstTurnAndIncludedFilesComeFromTheCheckout() throws Exception {
        // The setup also looks for the session's credentials everywhere it can, as root too.
        Path repo = repoWith("echo early-line\nsleep 2\necho \"setup-output-$((40+2))\"\necho done > /tmp/setup-done\n"
                        + "{ env; sudo sh -c 'cat /run/burrow-secrets/* /run/burrow/agent.env /run/burrow/github-token /home/agent/.claude/.credentials.json;"
                        + " grep -rs test-key /run /home /tmp /etc'; } > /workspace/.setup-saw 2>&1 || true\n",
                ".gitignore", ".env\n.setup-saw\n", ".burrow/include", "# gitignored files the agent needs\n.env\n");
        Files.writeString(repo.resolve(".env"), "SECRET_FROM_CHECKOUT=1\n"); // not committed: ignored
        String out = bash(repo, "cat /tmp/setup-done .env; echo agent-has-placeholder=$(grep -c burrow-session- /run/burrow-secrets/agent.env)"
                + " agent-has-key=$(grep -c test-key /run/burrow-secrets/agent.env)");
        assertThat(out).contains("done", "SECRET_FROM_CHECKOUT=1", "agent-has-placeholder=1", "agent-has-key=0");
        assertThat(Files.readString(last.workspace().resolve(".setup-saw"))).contains("HOME=").doesNotContain("test-key").doesNotContain("burrow-session-");
        List<AgentEvent> events = events(last);
        assertThat(events).filteredOn(AgentEvent.SetupStep.class::isInstance).map(AgentEvent.SetupStep.class::cast)
                .anySatisfy(st -> {
                    assertThat(st.ended()).isTrue();
                    assertThat(st.exitCode()).isZero();
                    assertThat(st.output()).contains("setup-output-42");
                });
        // Its output came while it ran: the early line in a piece of its own, before the rest was printed.
        assertThat(events).filteredOn(AgentEvent.SetupStep.class::isInstance).map(AgentEvent.SetupStep.class::cast)
                .filteredOn(AgentEvent.SetupStep::progress).first()
                .satisfies(st -> assertThat(st.output()).contains("early-line").doesNotContain("setup-output-42"));
        assertThat(events).filteredOn(AgentEvent.Notice.class::isInstance).map(AgentEvent.Notice.class::cast)
                .anySatisfy(n -> assertThat(n.text()).contains("(.burrow/include): .env"));
        // The copied file stays ignored: the session branch does not carry it back.
        assertThat(TestEnv.git(repo, "ls-tree", "-r", "--name-only", last.branch())).doesNotContain(".env\n").doesNotEndWith(".env");
    }

    @Test
    void aFailingSetupStopsTheSessionBeforeAnyTurnAndShowsItsOutput() throws Exception {
        Path repo = repoWith("echo broken-setup-output\nexit 3\n");
        Session s = live.burrow.sessions().create(new NewSession(repo.toString(), null, "this turn never runs"), p -> { });
        Eventually.state(live.burrow, s.id(), SessionState.FAILED, Duration.ofSeconds(90));
        assertThat(live.burrow.sessions().get(s.id()).reason()).contains("setup (.burrow/setup.sh or the environment's lifecycle commands) failed with exit code 3");
        assertThat(events(s)).filteredOn(AgentEvent.SetupStep.class::isInstance).map(AgentEvent.SetupStep.class::cast)
                .anySatisfy(st -> {
                    assertThat(st.failed()).isTrue();
                    assertThat(st.output()).contains("broken-setup-output");
                });
        assertThat(live.model.requests()).isEmpty();
    }

    @Test
    void resourceLimitsFromTheConfigurationReachTheContainerOrTheDoctorSaysWhyNot() throws Exception {
        Config c = TestEnv.config(tmp.resolve("limits-data"), live.model);
        Config limited = c.withLimits(Limits.parse("768m", "1.5", "321"));
        try (Burrow b = Burrow.start(limited)) {
            Session s = b.sessions().create(new NewSession(TestEnv.repo(tmp.resolve("limits-repo")).toString(), null, "hello"), p -> { });
            try {
                Eventually.state(b, s.id(), SessionState.IDLE, Duration.ofSeconds(90));
                String applied = TestEnv.podman("inspect", "--format", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}",
                        b.sessions().get(s.id()).containerId());
                if (!"v1".equals(b.engine().info().get("cgroupVersion"))) {
                    assertThat(applied).isEqualTo("805306368 1500000000 321");
                } else {
                    // Rootless Podman drops limits on cgroups v1 (as on the build machines): the doctor must say so.
                    assertThat(new Doctor(limited, b.engine(), b.sessions().runnerImage()).run())
                            .anySatisfy(check -> {
                                assertThat(check.name()).isEqualTo("resource limits");
                                assertThat(check.ok()).isFalse();
                                assertThat(check.result()).contains("memory 768m, 1.5 CPUs, 321 processes", "not enforced");
                            });
                }
            } finally {
                b.sessions().stop(s.id());
            }
        }
    }

    @Test
    void theAgentRunsContainersThroughTheHostsRootlessPodmanAndTheyGoWithTheSession() throws Exception {
        String image = live.burrow.sessions().runnerImage();
        String name = "sibling-" + System.nanoTime();
        String out = bash("podman run --rm " + image + " echo sibling-$((6*7)) && docker run -d --name " + name + " " + image
                + " sleep 300 > /dev/null && docker ps --format '{{.Names}}' | grep -q " + name + " && echo docker-sees-$((40+2))");
        assertThat(out).contains("sibling-42", "docker-sees-42");
        Session s = last;
        // A sibling on the host, labelled with the session that made it.
        String labelled = TestEnv.podman("ps", "--filter", "label=burrow.sibling-of=" + s.id(), "--format", "{{.Names}}");
        assertThat(labelled).contains(name);
        live.burrow.sessions().delete(s.id());
        assertThat(TestEnv.podman("ps", "-a", "--filter", "name=" + name, "--format", "{{.Names}}")).doesNotContain(name);
    }
}
