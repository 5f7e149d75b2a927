package dev.burrow.it;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import dev.burrow.session.NewSession;
import dev.burrow.session.Session;
import dev.burrow.session.SessionState;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live preview, end to end: the real Claude Code starts a dev server in its container (as an
 * agent does, through its Bash tool), the session page lists its port, and the phone's browser
 * opens it on an origin of its own through the session's tunnel: the page, its WebSocket (a
 * hot-reload client), and none of Burrow's cookies on either side.
 */
class PreviewIT {
    private static final String PASSWORD = "preview test password";
    static Playwright playwright;
    static Browser browser;

    @TempDir
    Path tmp;
    @RegisterExtension
    final LiveBurrow live = LiveBurrow.serving();

    @BeforeAll
    static void launch() {
        com.microsoft.playwright.assertions.PlaywrightAssertions.setDefaultAssertionTimeout(60_000);
        playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = BrowserIT.chromium(playwright);
    }

    @AfterAll
    static void close() {
        if (browser != null) browser.close();
        if (playwright != null) playwright.close();
    }

    @Test
    void aDevServerInTheBoxOpensOnThePhoneOnItsOwnOriginWithItsWebSocketAndWithoutBurrowsCookies() throws Exception {
        live.burrow.auth().setPassword(PASSWORD);
        Path repo = TestEnv.repo(tmp.resolve("repo"));
        try (InputStream app = PreviewIT.class.getResourceAsStream("/preview/preview_app.py")) {
            Files.write(repo.resolve("preview_app.py"), app.readAllBytes());
        }
        TestEnv.git(repo, "add", ".");
        TestEnv.git(repo, "-c", "user.name=T", "-c", "user.email=t@t.invalid", "commit", "--quiet", "-m", "the app");
        Session s = live.burrow.sessions().create(new NewSession(repo.toString(), null,
                "BASH: (setsid nohup python3 preview_app.py 8000 > /tmp/app.log 2>&1 &) ; sleep 1; echo started"), p -> { });
        Eventually.await(Duration.ofSeconds(120), "the turn", () -> live.burrow.sessions().get(s.id()).state() == SessionState.IDLE);

        String base = live.base();
        BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(390, 844));
        Page page = context.newPage();
        page.setDefaultTimeout(60_000);
        page.navigate(base + "/login");
        page.fill("input[name=password]", PASSWORD);
        page.click("button[type=submit]");
        assertThat(page.locator("h1")).hasText("Sessions");
        page.navigate(base + "/sessions/" + s.id());
        // The port the dev server listens on, detected in the container, with an Open link.
        assertThat(page.locator("#ports a.port")).hasText("8000 \u2197");
        page.screenshot(new Page.ScreenshotOptions().setPath(BrowserIT.SHOTS.resolve("phone-preview-ports.png")));

        Page preview = page.waitForPopup(() -> page.click("#ports a.port"));
        assertThat(preview.locator("#t")).hasText("preview works");
        assertThat(preview.locator("#ws")).hasText("echo: ping");
        preview.screenshot(new Page.ScreenshotOptions().setPath(BrowserIT.SHOTS.resolve("phone-preview.png")));
        String origin = (String) preview.evaluate("() => location.origin");
        assertThat(origin).startsWith("http://127.0.0.1:").isNotEqualTo(base);

        // The browser sent Burrow's login cookie to the preview's port (cookies ignore ports): the app never got it, nor the preview's own.
        assertThat(context.cookies(origin)).anySatisfy(c -> assertThat(c.name).isEqualTo("burrow_session"));
        String seen = (String) preview.evaluate("() => fetch('/headers').then(r => r.text())");
        assertThat(seen).contains("Host: localhost:8000").doesNotContain("burrow_session", "burrow_preview");

        // The preview's page can neither read Burrow's API nor act on it with the user's cookie.
        String read = (String) preview.evaluate("(b) => fetch(b + '/api/sessions', {credentials: 'include'}).then(r => 'read ' + r.status, e => 'refused')", base);
        assertThat(read).isEqualTo("refused");
        preview.evaluate("(a) => fetch(a[0] + '/api/sessions/' + a[1] + '/stop', {method: 'POST', mode: 'no-cors', credentials: 'include'})"
                + ".then(() => 'sent', () => 'refused')", java.util.List.of(base, s.id()));
        Thread.sleep(1000);
        assertThat(live.burrow.sessions().get(s.id()).state()).isEqualTo(SessionState.IDLE);

        // An app that sets Burrow's login cookie (and clears the site's cookies) leaves the login alone; its own cookie is its own.
        preview.navigate(origin + "/set-cookies");
        assertThat(context.cookies(origin)).anySatisfy(c -> assertThat(c.name + "=" + c.value).isEqualTo("app_cookie=kept"))
                .noneSatisfy(c -> assertThat(c.value).isEqualTo("from-the-box"));
        page.reload();
        assertThat(page).hasURL(base + "/sessions/" + s.id());

        // Without the preview's cookie: 401, with one line; the one-time link does not work twice.
        HttpClient plain = HttpClient.newHttpClient();
        HttpResponse<String> anonymous = plain.send(HttpRequest.newBuilder(URI.create(origin + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.body()).startsWith("burrow: this preview opens from Burrow");
        HttpResponse<String> stale = plain.send(HttpRequest.newBuilder(URI.create(origin + "/.burrow-preview/start?token=guessed")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(stale.statusCode()).isEqualTo(401);
        context.close();
    }
}
