package dev.burrow.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.agent.AgentEvent;
import dev.burrow.session.NewSession;
import dev.burrow.session.Session;
import dev.burrow.session.SessionState;
import dev.burrow.store.StoredEvent;
import java.nio.file.Path;
import java.time.Duration;
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

    /** Runs one command through Claude Code's Bash tool in a new session and returns the tool's output. */
    private String bash(String command) throws Exception {
        Session s = live.burrow.sessions().create(new NewSession(TestEnv.repo(tmp.resolve("repo-" + System.nanoTime())).toString(), null,
                "BASH: " + command), p -> { });
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
    void aDependencyOneSessionFetchedComesFromTheSharedCacheInTheNext() throws Exception {
        String first = bash("cd /tmp && npm install --no-audit --no-fund is-number@7.0.0 > /tmp/npm.log 2>&1 && echo fetched-$((6*7)) || tail -3 /tmp/npm.log");
        assertThat(first).contains("fetched-42");
        // --offline: npm may not touch the network, only its cache (a shared volume; this session's own disk is new).
        String second = bash("cd /tmp && ls /tmp/node_modules 2>/dev/null; npm install --offline --no-audit --no-fund is-number@7.0.0 > /tmp/npm.log 2>&1 && "
                + "node -e 'console.log(\"from-cache\", require(\"/tmp/node_modules/is-number\")(1))' || tail -3 /tmp/npm.log");
        assertThat(second).contains("from-cache true");
        assertThat(TestEnv.podman("volume", "ls", "--format", "{{.Name}}")).contains("burrow-cache-npm", "burrow-cache-maven");
    }
}
