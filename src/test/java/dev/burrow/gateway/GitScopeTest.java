package dev.burrow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.gateway.GitScope.Verdict;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class GitScopeTest {
    final GitScope github = new GitScope("Org/Repo", "burrow/1a2b3c4d", false);
    final GitScope enterprise = new GitScope("org/repo", "burrow/1a2b3c4d", true);

    @Test
    void gitForTheSessionsRepositoryGetsTheTokenAndAnotherRepositoryIsFetchedBareButNeverPushed() {
        assertThat(github.judge(false, "GET", "/org/repo.git/info/refs", "service=git-upload-pack")).isEqualTo(new Verdict.WithToken(false));
        assertThat(github.judge(false, "POST", "/org/repo/git-upload-pack", null)).isEqualTo(new Verdict.WithToken(false));
        assertThat(github.judge(false, "GET", "/org/repo/info/refs", "service=git-receive-pack")).isEqualTo(new Verdict.WithToken(false));
        assertThat(github.judge(false, "POST", "/org/repo.git/git-receive-pack", null)).isEqualTo(new Verdict.CheckPush());
        assertThat(github.judge(false, "GET", "/other/public.git/info/refs", "service=git-upload-pack")).isEqualTo(new Verdict.Bare());
        assertThat(github.judge(false, "GET", "/other/public.git/info/refs", "service=git-receive-pack")).isInstanceOfSatisfying(Verdict.Refused.class,
                r -> assertThat(r.message()).isEqualTo("burrow: this session pushes only to its own repository Org/Repo, not other/public"));
        assertThat(github.judge(false, "POST", "/other/public/git-receive-pack", null)).isInstanceOf(Verdict.Refused.class);
        assertThat(github.judge(false, "GET", "/settings/tokens", null)).isInstanceOf(Verdict.Refused.class);
        assertThat(github.judge(false, "GET", "/org/repo/archive/main.zip", null)).isInstanceOf(Verdict.Refused.class);
    }

    @Test
    void theApiGetsTheTokenForTheSessionsRepositoryToReadOpenItsPullRequestAndCommentOnly() {
        assertThat(github.judge(true, "GET", "/repos/org/repo", null)).isEqualTo(new Verdict.WithToken(true));
        assertThat(github.judge(true, "GET", "/repos/ORG/REPO/pulls", "state=open")).isEqualTo(new Verdict.WithToken(true));
        assertThat(github.judge(true, "POST", "/repos/org/repo/pulls", null)).isEqualTo(new Verdict.CheckPullRequest());
        assertThat(github.judge(true, "POST", "/repos/org/repo/issues/3/comments", null)).isEqualTo(new Verdict.WithToken(true));
        for (String[] refused : new String[][] {{"GET", "/repos/org/other"}, {"GET", "/user"}, {"GET", "/user/repos"}, {"POST", "/graphql"},
                {"DELETE", "/repos/org/repo"}, {"PATCH", "/repos/org/repo"}, {"PUT", "/repos/org/repo/contents/README.md"},
                {"POST", "/repos/org/repo/hooks"}, {"POST", "/repos/org/repo/keys"}, {"PATCH", "/repos/org/repo/git/refs/heads/main"},
                {"PUT", "/repos/org/repo/pulls/1/merge"}, {"POST", "/repos/org/repo/pulls/1/reviews"}, {"POST", "/gists"},
                {"GET", "/repos/org/repo/../other"}}) {
            assertThat(github.judge(true, refused[0], refused[1], null)).as(refused[0] + " " + refused[1]).isInstanceOf(Verdict.Refused.class);
        }
        // A GitHub Enterprise server: the API is under /api/v3 on the git host itself.
        assertThat(enterprise.judge(false, "GET", "/api/v3/repos/org/repo", null)).isEqualTo(new Verdict.WithToken(true));
        assertThat(enterprise.judge(false, "POST", "/api/graphql", null)).isInstanceOf(Verdict.Refused.class);
        assertThat(enterprise.judge(false, "GET", "/api/v3/repos/org/other", null)).isInstanceOf(Verdict.Refused.class);
        assertThat(github.isOwnHead("burrow/1a2b3c4d")).isTrue();
        assertThat(github.isOwnHead("org:burrow/1a2b3c4d")).isTrue();
        assertThat(github.isOwnHead("main")).isFalse();
        assertThat(github.isOwnHead("evil:burrow/1a2b3c4d")).isFalse();
        assertThat(new GitScope("", "burrow/x", false).judge(false, "GET", "/org/repo/info/refs", "service=git-upload-pack")).isEqualTo(new Verdict.Bare());
    }

    static byte[] pkt(String s) {
        byte[] p = s.getBytes(StandardCharsets.UTF_8);
        return (String.format("%04x", p.length + 4) + s).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] push(String... refs) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        String zero = "0".repeat(40);
        String one = "1".repeat(40);
        for (int i = 0; i < refs.length; i++) {
            b.writeBytes(pkt(zero + " " + one + " " + refs[i] + (i == 0 ? "\0report-status side-band-64k agent=git/2.39\n" : "\n")));
        }
        b.writeBytes("0000PACK....".getBytes(StandardCharsets.US_ASCII));
        return b.toByteArray();
    }

    @Test
    void aPushsRefUpdatesAreReadAndARefusalIsAReportGitShows() throws IOException {
        byte[] body = push("refs/heads/burrow/1a2b3c4d", "refs/heads/main");
        ByteArrayInputStream in = new ByteArrayInputStream(body);
        ReceivePack rp = ReceivePack.read(in);
        assertThat(rp.refs()).containsExactly("refs/heads/burrow/1a2b3c4d", "refs/heads/main");
        assertThat(rp.caps()).contains("report-status", "side-band-64k");
        assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("PACK....");
        String report = new String(rp.rejection("burrow: no"), StandardCharsets.UTF_8);
        // In band 1: the report's own pkt-lines, "ng REF reason" for each ref.
        assertThat(report).contains("\u0001000eunpack ok\n").contains("ng refs/heads/main burrow: no\n").endsWith("00000000");
        Assertions.assertThatThrownBy(() -> ReceivePack.read(new ByteArrayInputStream(pkt("push-cert\0report-status\n"))))
                .hasMessageContaining("push certificates are not accepted");
        Assertions.assertThatThrownBy(() -> ReceivePack.read(new ByteArrayInputStream("zzzz".getBytes(StandardCharsets.US_ASCII))))
                .hasMessageContaining("not pkt-lines");
    }
}
