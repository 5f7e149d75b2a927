package dev.burrow.environment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.container.RunOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunArgsTest {
    private static Environment parse(String json) {
        return EnvironmentFinder.find(EnvironmentFinderTest.Repo.of(".devcontainer.json", json), null).environment();
    }

    @Test
    void whatChangesOnlyTheContainersOwnFilesOrTakesPrivilegeAwayIsGiven() {
        var env = parse("""
                {"image": "x", "runArgs": ["--shm-size=2g", "--cap-drop", "NET_RAW", "--add-host=db:10.0.0.5", "--init", "-e", "MODE=dev",
                  "--security-opt", "no-new-privileges", "--hostname=box", "--gpus", "all"],
                 "mounts": ["type=tmpfs,target=/scratch", {"type": "tmpfs", "target": "/home/vscode/.cache"}]}""");
        assertThat(env.run().options()).isEqualTo(new RunOptions(List.of("/scratch", "/home/vscode/.cache"), "2g", List.of("NET_RAW"),
                List.of("db:10.0.0.5"), "box", true));
        assertThat(env.containerEnv()).containsEntry("MODE", "dev");
        assertThat(env.gpu()).isTrue();
        assertThat(env.unsupported()).isEmpty();
    }

    @Test
    void moreOfTheHostOrMorePrivilegeIsRefusedEntryByEntryWithOneLineEach() {
        var env = parse("""
                {"image": "x", "runArgs": ["--privileged", "--network=host", "--cap-add=SYS_ADMIN", "--security-opt", "seccomp=unconfined",
                  "-v", "/home/me:/h", "--pid=host", "--device", "/dev/kvm", "-p", "8080:80", "--userns=host", "--label", "burrow.session=x"],
                 "mounts": ["source=${localEnv:HOME},target=/h,type=bind", "source=cache,target=/c,type=volume", "type=tmpfs,target=/workspace/x",
                   "type=tmpfs,target=/run/burrow", "type=tmpfs,target=/opt/burrow-runner", "type=tmpfs,target=/"]}""");
        assertThat(env.run().options()).isEqualTo(RunOptions.NONE);
        assertThat(env.unsupported()).hasSize(16).allMatch(l -> l.contains(": refused: ") && l.endsWith("; not applied"));
        assertThat(env.unsupported()).anyMatch(l -> l.startsWith("runArgs --privileged: refused: privileged containers"))
                .anyMatch(l -> l.startsWith("runArgs --network host: refused: the session's network is its policy's"))
                .anyMatch(l -> l.startsWith("runArgs --security-opt seccomp=unconfined: refused"))
                .anyMatch(l -> l.startsWith("runArgs -v /home/me:/h: refused"))
                .anyMatch(l -> l.startsWith("runArgs --label burrow.session=x: refused"))
                .anyMatch(l -> l.startsWith("mounts source=${localEnv:HOME},target=/h,type=bind: refused: no path of your machine"))
                .anyMatch(l -> l.startsWith("mounts source=cache,target=/c,type=volume: refused: a named volume would outlive the session"));
    }

    @Test
    void theWorkspaceFolderIsTheWorkspaceAFolderOfItOrAnotherPathOfTheContainersOwn() {
        assertThat(parse("{\"image\": \"x\"}").run().workdir()).isEqualTo("/workspace");
        assertThat(parse("{\"image\": \"x\", \"workspaceFolder\": \"/workspace/app/\"}").run().workdir()).isEqualTo("/workspace/app");
        var codespace = parse("{\"image\": \"x\", \"workspaceFolder\": \"/workspaces/${localWorkspaceFolderBasename}\", \"containerEnv\": "
                + "{\"W\": \"${containerWorkspaceFolder}\", \"B\": \"${containerWorkspaceFolderBasename}\"}}");
        assertThat(codespace.run().workdir()).isEqualTo("/workspaces/workspace");
        assertThat(codespace.containerEnv()).containsEntry("W", "/workspaces/workspace").containsEntry("B", "workspace");
        for (String bad : List.of("/etc", "/run/burrow", "relative", "/workspaces/../etc", "/")) {
            var env = parse("{\"image\": \"x\", \"workspaceFolder\": \"" + bad + "\"}");
            assertThat(env.run().workdir()).as(bad).isEqualTo("/workspace");
            assertThat(env.unsupported()).as(bad).singleElement().asString().startsWith("workspaceFolder");
        }
    }

    @Test
    void forwardedPortsBecomePreviewLinksWithTheirLabels() {
        var env = parse("""
                {"image": "x", "forwardPorts": [3000, "localhost:8080", "db:5432", 3000, 70000],
                 "portsAttributes": {"3000": {"label": "Web app", "onAutoForward": "openBrowser"}}}""");
        assertThat(env.run().ports()).containsExactly(new Environment.Port(3000, "Web app"), new Environment.Port(8080, ""));
        assertThat(env.unsupported()).containsExactlyInAnyOrder("forwardPorts \"db:5432\": only ports of the session's container are previewed; ignored",
                "forwardPorts 70000: only ports of the session's container are previewed; ignored",
                "portsAttributes.3000.onAutoForward: not supported by Burrow yet; ignored");
    }
}
