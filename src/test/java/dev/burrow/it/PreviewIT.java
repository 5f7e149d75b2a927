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
        String token = live.burrow.auth().createToken("preview-test");
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
        // Another address of this machine than Burrow's (127.0.0.1): the preview shares no cookie jar with Burrow.
        assertThat(origin).startsWith("http://127.0.0.2:");
        assertThat(context.cookies(origin)).noneSatisfy(c -> assertThat(c.name).isEqualTo("burrow_session"));
        // Nor would the app get Burrow's cookies where the browser sends them (same host, another port: cookies ignore ports).
        String seen = (String) preview.evaluate("() => fetch('/headers').then(r => r.text())");
        assertThat(seen).contains("Host: localhost:8000").doesNotContain("burrow_preview");
        String loginCookie = context.cookies(base).stream().filter(c -> c.name.equals("burrow_session")).findFirst().orElseThrow().value;
        var previewCookie = context.cookies(origin).stream().filter(c -> c.name.startsWith("burrow_preview_")).findFirst().orElseThrow();
        URI previewUri = URI.create(origin);
        try (java.net.Socket raw = new java.net.Socket(previewUri.getHost(), previewUri.getPort())) {
            raw.getOutputStream().write(("GET /headers HTTP/1.1\r\nHost: 127.0.0.1:" + previewUri.getPort() + "\r\nCookie: burrow_session=" + loginCookie
                    + "; app=1; " + previewCookie.name + "=" + previewCookie.value + "\r\nAuthorization: Bearer " + token + "\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String got = new String(raw.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(got).startsWith("HTTP/1.1 200").contains("Cookie: app=1").doesNotContain(loginCookie, previewCookie.value, token);
        }
        // Every request's head is checked: the proxy carries exactly the body its head announced, and nothing after it.
        String pipelined = "GET /headers HTTP/1.1\r\nHost: localhost:8000\r\nCookie: burrow_session=" + loginCookie + "\r\n\r\n";
        String cookies = previewCookie.name + "=" + previewCookie.value;
        String sized = raw(previewUri, "POST /rest HTTP/1.1\r\nHost: 127.0.0.1:" + previewUri.getPort() + "\r\nCookie: " + cookies
                + "\r\nContent-Length: 5\r\n\r\nhello" + pipelined);
        assertThat(sized).startsWith("HTTP/1.1 200").endsWith("rest=hello").doesNotContain(loginCookie);
        String chunked = raw(previewUri, "POST /rest HTTP/1.1\r\nHost: 127.0.0.1:" + previewUri.getPort() + "\r\nCookie: " + cookies
                + "\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + pipelined);
        assertThat(chunked).startsWith("HTTP/1.1 200").contains("hello").doesNotContain(loginCookie, "GET /headers");
        // Framed two ways, a body could hold a request for readers that pick the other: refused before the app sees it.
        String both = raw(previewUri, "POST /rest HTTP/1.1\r\nHost: 127.0.0.1:" + previewUri.getPort() + "\r\nCookie: " + cookies
                + "\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + pipelined);
        assertThat(both).startsWith("HTTP/1.1 400").contains("framed more than one way");
        // An upgrade the app does not take (it answers 200 and reads on) ends the connection: nothing sent after it reaches the app.
        try (java.net.Socket raw = new java.net.Socket(previewUri.getHost(), previewUri.getPort())) {
            raw.setSoTimeout(20_000);
            raw.getOutputStream().write(("GET /keep HTTP/1.1\r\nHost: 127.0.0.1:" + previewUri.getPort() + "\r\nCookie: " + cookies
                    + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            Thread.sleep(500);
            try {
                raw.getOutputStream().write(pipelined.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            } catch (java.io.IOException closed) {
                // closed already: all the better
            }
            String got = new String(raw.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(got).startsWith("HTTP/1.1 200").contains("Connection: close").doesNotContain(loginCookie, "GET /headers");
        }
        // A quoted cookie name is that cookie to a lenient parser: it is Burrow's, and stays out.
        String quoted = raw(previewUri, "GET /headers HTTP/1.1\r\nHost: 127.0.0.1:" + previewUri.getPort() + "\r\nCookie: " + cookies
                + "; \"burrow_session\"=" + loginCookie + "; app=2\r\n\r\n");
        assertThat(quoted).startsWith("HTTP/1.1 200").contains("app=2").doesNotContain(loginCookie);
        // A response that hides a header behind a bare CR is refused; interim answers never carry a cookie through.
        assertThat(preview.evaluate("() => fetch('/bare-cr').then(r => r.status)")).isEqualTo(502);
        assertThat(preview.evaluate("() => fetch('/early').then(r => r.text())")).isEqualTo("early");
        // A 101 that answers no upgrade (a browser would read the head after it, unfiltered) is refused.
        assertThat(preview.evaluate("() => fetch('/sneaky-101').then(r => r.status)")).isEqualTo(502);
        for (String host : java.util.List.of(base, origin)) {
            assertThat(context.cookies(host)).noneSatisfy(c -> assertThat(c.value).startsWith("from-the-box"));
        }

        // Large bodies stream both ways.
        assertThat(preview.evaluate("() => fetch('/big').then(r => r.arrayBuffer()).then(b => b.byteLength)")).isEqualTo(8 << 20);
        assertThat(preview.evaluate("() => fetch('/upload', {method: 'POST', body: new Uint8Array(6 << 20)}).then(r => r.text())"))
                .isEqualTo("received " + (6 << 20));

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
        // A login cookie set for a narrower path by some other page of this host comes first: Burrow takes the valid one of those it gets.
        WebClient shadowed = new WebClient(base);
        assertThat(shadowed.get("/api/sessions", "Cookie", "burrow_session=set-by-a-page; burrow_session=" + loginCookie).status()).isEqualTo(200);
        // A port nothing listens on gets no preview.
        assertThat(shadowed.get("/sessions/" + s.id() + "/preview/7777", "Cookie", "burrow_session=" + loginCookie).status()).isEqualTo(409);

        // Without the preview's cookie: 401, with one line; the one-time link does not work twice.
        HttpClient plain = HttpClient.newHttpClient();
        String byAddress = origin;
        HttpResponse<String> anonymous = plain.send(HttpRequest.newBuilder(URI.create(byAddress + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.body()).startsWith("burrow: this preview opens from Burrow");
        HttpResponse<String> stale = plain.send(HttpRequest.newBuilder(URI.create(byAddress + "/.burrow-preview/start?token=guessed")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(stale.statusCode()).isEqualTo(401);
        context.close();
    }

    /** One request on a connection of its own, as raw bytes; the whole answer. */
    private static String raw(URI preview, String request) throws Exception {
        try (java.net.Socket raw = new java.net.Socket(preview.getHost(), preview.getPort())) {
            raw.setSoTimeout(20_000);
            raw.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            return new String(raw.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void aHostileAgentOnThePreviewSocketCannotFloodBurrowNorListMorePortsThanTheCap() throws Exception {
        Path repo = TestEnv.repo(tmp.resolve("repo"));
        try (InputStream abuse = PreviewIT.class.getResourceAsStream("/preview/preview_abuse.py")) {
            Files.write(repo.resolve("preview_abuse.py"), abuse.readAllBytes());
        }
        TestEnv.git(repo, "add", ".");
        TestEnv.git(repo, "-c", "user.name=T", "-c", "user.email=t@t.invalid", "commit", "--quiet", "-m", "the attack");
        long fdsBefore = openFds();
        // Run by the real Claude Code's Bash tool; it holds its connections for 20 s after its report.
        Session s = live.burrow.sessions().create(new NewSession(repo.toString(), null, "BASH: python3 preview_abuse.py 20"), p -> { });
        Eventually.await(Duration.ofSeconds(120), "the attack's report", () -> live.burrow.sessions().events(s.id(), 0).stream()
                .anyMatch(e -> e.read().event().json().contains("silent connections closed")));
        String report = live.burrow.sessions().events(s.id(), 0).stream().map(e -> e.read().event().json())
                .filter(j -> j.contains("silent connections closed")).findFirst().orElseThrow();
        // A line over the limit ends the connection; claimed data connections Burrow never asked for are closed or capped; silent ones time out.
        assertThat(report).contains("control with a long ports line closed: True", "silent connections closed: 20 of 20");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("claimed data connections: (\\d+) still open: (\\d+)").matcher(report);
        assertThat(m.find()).as(report).isTrue();
        assertThat(Integer.parseInt(m.group(2))).isLessThanOrEqualTo(66);
        // While it holds them: Burrow's descriptors stay bounded, and its API answers with at most 32 ports.
        assertThat(openFds() - fdsBefore).as("descriptors Burrow holds for the attack").isLessThan(200);
        WebClient client = new WebClient(live.base());
        live.burrow.auth().setPassword(PASSWORD);
        assertThat(client.login(PASSWORD).status()).isEqualTo(200);
        var ports = WebApiIT.JSON.readTree(client.get("/api/sessions/" + s.id() + "/ports").body());
        // (Its forwarder and the agent's fake one take the socket from each other: either's list, never more than 32.)
        assertThat(ports.size()).isLessThanOrEqualTo(32);
    }

    private static long openFds() throws java.io.IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
