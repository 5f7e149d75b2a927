package dev.burrow.workspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitHostTest {
    @TempDir
    Path tmp;

    @Test
    void theHostIsANameOrAUrlAndRemotesOnItGiveOwnerAndRepository() {
        GitHost github = new GitHost(GitHost.parseBase(""), "t");
        assertThat(github.authority()).isEqualTo("github.com");
        assertThat(github.ownerRepo("https://github.com/me/project.git")).contains("me/project");
        assertThat(github.ownerRepo("https://user@github.com/me/project")).contains("me/project");
        assertThat(github.ownerRepo("git@github.com:me/project.git")).contains("me/project");
        assertThat(github.ownerRepo("ssh://git@github.com/me/project.git")).contains("me/project");
        assertThat(github.ownerRepo("https://gitlab.com/me/project.git")).isEmpty();
        assertThat(github.ownerRepo("/home/me/project")).isEmpty();

        GitHost enterprise = new GitHost(GitHost.parseBase("github.example.com"), "t");
        assertThat(enterprise.credentialUrl()).isEqualTo("https://github.example.com");
        assertThat(enterprise.isGitHubCom()).isFalse();
        GitHost local = new GitHost(GitHost.parseBase("http://127.0.0.1:8080/ignored/path"), "t");
        assertThat(local.credentialUrl()).isEqualTo("http://127.0.0.1:8080");
        assertThat(local.ownerRepo("http://127.0.0.1:8080/org/repo.git")).contains("org/repo");
    }

    @Test
    void theTokenIsNeverShownAndMustBeOneLine() {
        assertThat(new GitHost(GitHost.GITHUB, "ghp_secret").toString()).doesNotContain("ghp_secret").contains("with a token");
        assertThatThrownBy(() -> new GitHost(GitHost.GITHUB, "a\nb")).hasMessageContaining("single line");
        assertThatThrownBy(() -> new GitHost(URI.create("ftp://x"), "t")).hasMessageContaining("BURROW_GITHUB_HOST");
    }

    @Test
    void theTokenGoesToAnOwnerOnlyFileAndGitGetsOnlyTheHelperForThatHost() throws Exception {
        GitCredentials c = GitCredentials.install(new GitHost(GitHost.parseBase("github.example.com"), "ghp_secret"), tmp);
        assertThat(c.present()).isTrue();
        Path token = tmp.resolve("secrets/github-token");
        assertThat(Files.readString(token)).isEqualTo("ghp_secret");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token))).isEqualTo("rw-------");
        assertThat(c.env()).containsEntry("GIT_CONFIG_KEY_0", "credential.https://github.example.com.helper")
                .containsEntry("GIT_TERMINAL_PROMPT", "0");
        assertThat(c.env().values()).noneMatch(v -> v.contains("ghp_secret"));
        assertThat(GitCredentials.install(new GitHost(GitHost.GITHUB, ""), tmp.resolve("none")).env()).containsOnlyKeys("GIT_TERMINAL_PROMPT");
    }
}
