package dev.burrow.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The session's Claude dir is the container's to write: seeding it never follows what the agent put there. */
class ClaudeConfigSeedTest {
    @TempDir
    Path tmp;

    @Test
    void seedingNeitherWritesNorReadsThroughTheAgentsLinks() throws Exception {
        Path claude = Files.createDirectories(tmp.resolve("claude"));
        Path hostRc = Files.writeString(tmp.resolve("bashrc"), "# the user's own\n");
        Path hostSecret = Files.writeString(tmp.resolve("docker-config.json"), "{\"auths\":{\"x\":{\"auth\":\"SECRET\"}}}");
        Files.createSymbolicLink(claude.resolve("settings.json.burrow-tmp"), hostRc);
        Files.createSymbolicLink(claude.resolve("settings.json"), hostRc);
        Files.createSymbolicLink(claude.resolve(".claude.json"), hostSecret);

        ClaudeConfigSeed.seed(claude, "sk-test-key", SessionMode.TERMINAL);

        assertThat(Files.readString(hostRc)).isEqualTo("# the user's own\n");
        assertThat(Files.isSymbolicLink(claude.resolve(".claude.json"))).isFalse();
        assertThat(Files.readString(claude.resolve(".claude.json"))).contains("hasCompletedOnboarding").doesNotContain("SECRET");
        assertThat(Files.isRegularFile(claude.resolve("settings.json"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(Files.readString(claude.resolve("settings.json"))).contains("burrow-hook");
    }

    @Test
    void theHooksAreInPlaceInTerminalModeOnlyAndTheUsersOwnAreKept() throws Exception {
        Path claude = Files.createDirectories(tmp.resolve("claude"));
        Files.writeString(claude.resolve("settings.json"), "{\"hooks\":{\"Stop\":[{\"hooks\":[{\"type\":\"command\",\"command\":\"say done\"}]}]}}");
        ClaudeConfigSeed.seed(claude, null, SessionMode.TERMINAL);
        assertThat(Files.readString(claude.resolve("settings.json"))).contains("burrow-hook", "say done", "UserPromptSubmit", "Notification");
        ClaudeConfigSeed.seed(claude, null, SessionMode.CHAT);
        String chat = Files.readString(claude.resolve("settings.json"));
        assertThat(chat).doesNotContain("burrow-hook", "UserPromptSubmit", "Notification").contains("say done", "Stop");
        ClaudeConfigSeed.seed(claude, null, SessionMode.TERMINAL);
        assertThat(Files.readString(claude.resolve("settings.json"))).contains("burrow-hook", "say done");
    }
}
