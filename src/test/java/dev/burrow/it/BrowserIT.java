package dev.burrow.it;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import dev.burrow.Burrow;
import dev.burrow.bench.ScriptedModel;
import dev.burrow.session.Session;
import dev.burrow.session.SessionMode;
import dev.burrow.web.WebServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The pages in Debian's Chromium, at desktop and at phone size. Screenshots land in target/screenshots. */
class BrowserIT {
    static final String PASSWORD = "browser test password";
    static final Path SHOTS = Path.of("target", "screenshots");
    static Playwright playwright;
    static Browser browser;

    @TempDir
    Path tmp;
    ScriptedModel model;
    Burrow burrow;
    WebServer server;
    String base;
    Path repo;

    @BeforeAll
    static void launch() {
        // A turn runs real Claude Code in a container: allow it time.
        com.microsoft.playwright.assertions.PlaywrightAssertions.setDefaultAssertionTimeout(90_000);
        playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = chromium(playwright);
    }

    /** Debian's Chromium, headless, never a downloaded one. */
    static Browser chromium(Playwright playwright) {
        return playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(Path.of("/usr/bin/chromium"))
                .setHeadless(true).setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run")));
    }

    @AfterAll
    static void close() {
        if (browser != null) browser.close();
        if (playwright != null) playwright.close();
    }

    @RegisterExtension
    final LiveBurrow live = LiveBurrow.serving();

    @BeforeEach
    void start() throws Exception {
        model = live.model;
        burrow = live.burrow;
        server = live.server;
        burrow.auth().setPassword(PASSWORD);
        base = "http://127.0.0.1:" + server.port();
        repo = TestEnv.repo(tmp.resolve("repo"));
    }

    Page open(int width, int height) {
        BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(width, height));
        Page page = context.newPage();
        page.setDefaultTimeout(90_000);
        page.navigate(base + "/");
        assertThat(page).hasURL(base + "/login");
        page.fill("input[name=password]", PASSWORD);
        page.click("button[type=submit]");
        assertThat(page.locator("h1")).hasText("Sessions");
        return page;
    }

    void send(Page page, String text) {
        page.fill("#message", text);
        page.press("#message", "Enter");
    }

    Locator state(Page page) {
        return page.locator("#session-header .state");
    }

    @Test
    void aPushFromBurrowShowsANotificationOnThePhoneAndTappingItOpensTheSession() throws Exception {
        // Burrow's real push for a turn's end, as a push service got it (decrypted with the device's keys)...
        try (dev.burrow.push.PushEndpoint pushService = new dev.burrow.push.PushEndpoint()) {
            dev.burrow.push.PushEndpoint.Device phone = pushService.subscribe("phone");
            var b64 = java.util.Base64.getUrlEncoder().withoutPadding();
            burrow.pushes().put(phone.endpoint(), b64.encodeToString(phone.p256dh()), b64.encodeToString(phone.auth()), "Chrome on Android",
                    java.time.Instant.now());
            Session s = burrow.sessions().create(new dev.burrow.session.NewSession(repo.toString(), null, "tidy the readme"), p -> { });
            Eventually.await(java.time.Duration.ofSeconds(120), "the turn's push", () -> !pushService.deliveries().isEmpty());
            String payload = pushService.deliveries().getFirst().payload();

            // ...is delivered to the service worker of the installed app on the phone (Chromium's DevTools protocol plays the push service).
            Page page = open(390, 844);
            page.context().grantPermissions(List.of("notifications"), new BrowserContext.GrantPermissionsOptions().setOrigin(base));
            page.navigate(base + "/settings");
            assertThat(page.locator("#notify-device")).isEnabled();
            assertThat(page.locator("#push .devices")).containsText("Chrome on Android");
            page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("phone-settings.png")).setFullPage(true));
            page.waitForFunction("() => navigator.serviceWorker.controller !== null");
            com.microsoft.playwright.CDPSession cdp = page.context().newCDPSession(page);
            java.util.concurrent.CompletableFuture<String> registration = new java.util.concurrent.CompletableFuture<>();
            cdp.on("ServiceWorker.workerRegistrationUpdated", ev -> ev.getAsJsonArray("registrations").forEach(r -> {
                var o = r.getAsJsonObject();
                if (!o.get("isDeleted").getAsBoolean() && o.get("scopeURL").getAsString().equals(base + "/")) registration.complete(o.get("registrationId").getAsString());
            }));
            cdp.send("ServiceWorker.enable");
            // Playwright for Java hands over events while it is called: wait through it.
            for (int i = 0; i < 300 && !registration.isDone(); i++) page.waitForTimeout(100);
            var push = new com.google.gson.JsonObject();
            push.addProperty("origin", base);
            push.addProperty("registrationId", registration.getNow(null));
            push.addProperty("data", payload);
            cdp.send("ServiceWorker.deliverPushMessage", push);

            String shown = "() => navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns => JSON.stringify(ns.map(n => ({title: n.title, body: n.body, tag: n.tag, url: n.data.url}))))";
            String notifications = "[]";
            for (int i = 0; i < 300 && notifications.equals("[]"); i++) {
                page.waitForTimeout(100);
                notifications = (String) page.evaluate(shown);
            }
            org.assertj.core.api.Assertions.assertThat(notifications).contains("\"title\":\"tidy the readme: finished its turn\"", "\"tag\":\"burrow-" + s.id() + "\"",
                    "\"url\":\"" + base + "/sessions/" + s.id() + "\"");

            // Tapping it: the service worker's click handler, given the notification shown, opens the session in the app's window.
            // Playwright for Java cannot evaluate in a service worker: the DevTools protocol attaches to it.
            String worker = null;
            for (var t : cdp.send("Target.getTargets").getAsJsonArray("targetInfos")) {
                var info = t.getAsJsonObject();
                if (info.get("type").getAsString().equals("service_worker") && info.get("url").getAsString().equals(base + "/sw.js")) {
                    worker = info.get("targetId").getAsString();
                }
            }
            org.assertj.core.api.Assertions.assertThat(worker).as("Burrow's service worker target").isNotNull();
            var attach = new com.google.gson.JsonObject();
            attach.addProperty("targetId", worker);
            attach.addProperty("flatten", false);
            String target = cdp.send("Target.attachToTarget", attach).get("sessionId").getAsString();
            var evaluate = new com.google.gson.JsonObject();
            evaluate.addProperty("sessionId", target);
            evaluate.addProperty("message", "{\"id\":1,\"method\":\"Runtime.evaluate\",\"params\":{\"awaitPromise\":true,\"expression\":"
                    + "\"self.registration.getNotifications().then(([n]) => openFromNotification(n))\"}}");
            cdp.send("Target.sendMessageToTarget", evaluate);
            assertThat(page).hasURL(base + "/sessions/" + s.id());
            assertThat(page.locator("section.session")).hasAttribute("data-session", s.id());
            page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("phone-session-from-push.png")));
        }
    }

    @Test
    void aSessionFromStartToChangesAtDesktopSize() {
        Page page = open(1280, 800);
        page.click("text=New session");
        page.fill("input[name=repo]", repo.toString());
        page.fill("textarea[name=prompt]", "BASH: echo hello-from-browser > hello.txt && git add hello.txt && git commit -qm 'Hello from the browser' && cat hello.txt");
        page.click("#new-session button[type=submit]");
        assertThat(page.locator("#transcript details.tool summary").first()).containsText("Bash");
        assertThat(page.locator("#transcript .tool-result").first()).containsText("hello-from-browser");
        assertThat(page.locator("#transcript .turn-end").first()).containsText("Turn done");
        assertThat(state(page)).hasText("waiting for you");
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("desktop-session.png")).setFullPage(true));

        send(page, "a follow-up question");
        assertThat(page.locator("#transcript .md").last()).containsText(ScriptedModel.REPLY_PREFIX + "a follow-up question");

        model.slowChunkMillis(400);
        send(page, "SLOW and long");
        assertThat(state(page)).hasText("working");
        page.click("#session-header button:has-text('Interrupt')");
        assertThat(state(page)).hasText("waiting for you");

        page.click("nav.tabs >> text=Changes");
        assertThat(page.locator("#changes details.file summary")).containsText("hello.txt");
        assertThat(page.locator("#changes .add").first()).containsText("+hello-from-browser");
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("desktop-changes.png")).setFullPage(true));
    }

    @Test
    void theSetupsOutputShowsWhileItRunsInOneStepThatStaysOneAfterAReload() throws Exception {
        Path withSetup = TestEnv.repo(tmp.resolve("setup-repo"));
        Files.createDirectories(withSetup.resolve(".burrow"));
        Files.writeString(withSetup.resolve(".burrow/setup.sh"), "echo early-setup-line\nsleep 5\necho late-setup-line\n");
        TestEnv.git(withSetup, "add", ".");
        TestEnv.git(withSetup, "-c", "user.name=T", "-c", "user.email=t@t.invalid", "commit", "-q", "-m", "setup");
        Page page = open(1280, 800);
        page.click("text=New session");
        page.fill("input[name=repo]", withSetup.toString());
        page.fill("textarea[name=prompt]", "hello after the setup");
        page.click("#new-session button[type=submit]");
        // While it runs: open, its early output in it, the late line not yet.
        Locator running = page.locator("#transcript details.setup.running pre");
        assertThat(running).containsText("early-setup-line");
        org.assertj.core.api.Assertions.assertThat(running.textContent()).doesNotContain("late-setup-line");
        Locator done = page.locator("#transcript details.setup:not(.running)");
        assertThat(done.locator("summary")).containsText("Setup (.burrow/setup.sh): done");
        assertThat(page.locator("#transcript details.setup")).hasCount(1);
        assertThat(done.locator("pre")).containsText("late-setup-line");
        assertThat(page.locator("#transcript .md").last()).containsText(ScriptedModel.REPLY_PREFIX + "hello after the setup");
        page.reload();
        assertThat(page.locator("#transcript details.setup")).hasCount(1);
        assertThat(page.locator("#transcript details.setup summary")).containsText("done");
        assertThat(page.locator("#transcript .setup-chunk")).hasCount(0);
    }

    @Test
    void reloadingInTheMiddleOfATurnLosesNothingAndDoublesNothingAtPhoneSize() {
        model.slowChunkMillis(150);
        Page page = open(375, 812);
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("phone-sessions.png")));
        page.click("header.top >> text=New session");
        page.fill("input[name=repo]", repo.toString());
        page.fill("textarea[name=prompt]", "SLOW story for a phone");
        // The model API is reachable under every network policy, none included.
        page.selectOption("select[name=network]", "none");
        page.click("#new-session button[type=submit]");
        assertThat(state(page)).hasText("working");
        assertThat(page.locator("p.meta").first()).containsText("network: none");
        page.waitForCondition(() -> page.locator("#transcript .ev").count() >= 2);
        page.reload();
        assertThat(page.locator("#transcript .turn-end").first()).containsText("Turn done");
        String id = burrow.sessions().list().getFirst().id();
        org.assertj.core.api.Assertions.assertThat(burrow.sessions().get(id).network()).isEqualTo(dev.burrow.container.NetworkPolicy.NONE);
        page.waitForCondition(() -> page.locator("#transcript .ev").count() == burrow.sessions().events(id, 0).size());
        @SuppressWarnings("unchecked")
        List<Object> seqs = (List<Object>) page.evaluate("() => [...document.querySelectorAll('#transcript .ev')].map(e => Number(e.dataset.seq))");
        List<Long> shown = seqs.stream().map(o -> ((Number) o).longValue()).toList();
        assertThat(shown).containsExactlyElementsOf(LongStream.rangeClosed(1, shown.size()).boxed().toList());
        assertThat(page.locator("#message")).isEditable();
        send(page, "still here after the reload");
        assertThat(page.locator("#transcript .md").last()).containsText(ScriptedModel.REPLY_PREFIX + "still here after the reload");
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("phone-session.png")).setFullPage(true));
        // Nothing wider than the phone's screen.
        assertThat((Boolean) page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")).isTrue();
    }

    @Test
    void theTerminalTabRunsTheSessionsShell() throws Exception {
        Session s = burrow.sessions().create(new dev.burrow.session.NewSession(repo.toString(), null, "hello"), p -> { });
        Page page = open(1280, 800);
        page.navigate(base + "/sessions/" + s.id());
        page.click("nav.tabs >> text=Terminal");
        page.waitForSelector("#terminal .xterm");
        page.click("#terminal");
        page.keyboard().type("echo typed-in-xterm-$((6*7))");
        page.keyboard().press("Enter");
        assertThat(page.locator("#terminal .xterm-rows")).containsText("typed-in-xterm-42");
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("desktop-terminal.png")));
    }

    @Test
    void onAPhoneTheKeyBarSendsWhatThePhoneKeyboardLacks() throws Exception {
        Session s = burrow.sessions().create(new dev.burrow.session.NewSession(repo.toString(), null, "hello"), p -> { });
        Page page = open(390, 844);
        page.navigate(base + "/sessions/" + s.id() + "/terminal");
        page.waitForSelector("#terminal .xterm");
        assertThat(page.locator("#keybar")).isVisible();
        Locator rows = page.locator("#terminal .xterm-rows");
        page.click("#terminal");
        page.keyboard().type("echo first-$((40+2))");
        page.keyboard().press("Enter");
        assertThat(rows).containsText("first-42");
        // Up from the bar recalls the command (bash's history), which runs again: once bash shows its prompt again.
        page.waitForFunction("() => /first-42\\s*agent@[0-9a-f]+:\\/workspace\\$/.test(document.querySelector('#terminal .xterm-rows').textContent)");
        page.click("#keybar [data-key=up]");
        String recalled = "() => document.querySelector('#terminal .xterm-rows').textContent.split('echo first-').length > 2";
        try {
            page.waitForFunction(recalled, null, new Page.WaitForFunctionOptions().setTimeout(10_000));
        } catch (com.microsoft.playwright.TimeoutError e) {
            // Seen twice in loaded suite runs (an arrow's bytes read apart by tmux?): the key is pressed once more and must work then.
            System.out.println("Up did not recall at once; the screen: " + rows.textContent());
            page.keyboard().press("Control+U");
            page.click("#keybar [data-key=up]");
            page.waitForFunction(recalled);
        }
        page.keyboard().press("Enter");
        page.waitForFunction("() => /first-42\\s*agent@[0-9a-f]+:\\/workspace\\$[^]*first-42\\s*agent@[0-9a-f]+:\\/workspace\\$/"
                + ".test(document.querySelector('#terminal .xterm-rows').textContent)");
        // Ctrl-C from the bar interrupts a command that would run for 100 s.
        page.keyboard().type("sleep 100");
        page.keyboard().press("Enter");
        page.waitForTimeout(500);
        page.click("#keybar [data-key=ctrl-c]");
        page.keyboard().type("echo after-$((1+1))");
        page.keyboard().press("Enter");
        assertThat(rows).containsText("after-2", new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(15_000));
        // Esc reaches the program: a key read raw shows as ESC.
        page.keyboard().type("read -rsn1 k; printf 'key=%q.\\n' \"$k\"");
        page.keyboard().press("Enter");
        page.waitForTimeout(300);
        page.click("#keybar [data-key=esc]");
        assertThat(rows).containsText("key=$'\\E'.");
        // Sticky Ctrl: Ctrl, then the letter typed, is its control key (Ctrl-C again, here).
        page.keyboard().type("sleep 100");
        page.keyboard().press("Enter");
        page.waitForTimeout(500);
        page.click("#keybar [data-key=ctrl]");
        assertThat(page.locator("#keybar [data-key=ctrl]")).hasAttribute("aria-pressed", "true");
        page.keyboard().type("c");
        page.keyboard().type("echo sticky-$((2+3))");
        page.keyboard().press("Enter");
        assertThat(rows).containsText("sticky-5", new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(15_000));
        assertThat((Boolean) page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")).isTrue();
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("phone-terminal-keybar.png")));
    }

    @Test
    void aTerminalModeSessionShowsClaudeCodesOwnScreenAndGoesBackToChat() {
        Page page = open(1280, 800);
        page.click("text=New session");
        page.fill("input[name=repo]", repo.toString());
        page.check("input[name=mode][value=terminal]");
        page.click("#new-session button[type=submit]");
        // The session opens on Claude Code's own screen, with no first-run dialog in the way.
        assertThat(page.locator("nav.windows a[aria-current=page]")).hasText("Claude");
        assertThat(page.locator("#terminal .xterm-rows")).containsText("bypass permissions on");
        page.click("#terminal");
        page.keyboard().type("typed on the screen of claude");
        // As a person types: Claude Code takes keys that arrive all at once, Enter included, as a paste.
        page.waitForTimeout(500);
        page.keyboard().press("Enter");
        assertThat(page.locator("#terminal .xterm-rows")).containsText(ScriptedModel.REPLY_PREFIX + "typed on the screen of claude");
        assertThat(state(page)).hasText("waiting for you");
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("desktop-terminal-mode.png")));

        page.click("text=Back to chat");
        assertThat(page.locator("#transcript .prompt").first()).containsText("typed on the screen of claude");
        send(page, "and now in chat");
        assertThat(page.locator("#transcript")).containsText(ScriptedModel.REPLY_PREFIX + "and now in chat");
    }

    @Test
    void claudesNotificationHookRaisesABrowserNotificationWhileTheTabIsHidden() throws Exception {
        Session s = burrow.sessions().create(new dev.burrow.session.NewSession(repo.toString(), null, "", SessionMode.TERMINAL), p -> { });
        Page page = open(1280, 800);
        // The tab is in the background, and notifications are allowed: what the page then calls is recorded.
        page.addInitScript("""
                Object.defineProperty(document, "hidden", { get: () => true });
                window.shown = [];
                window.Notification = function (title, options) { window.shown.push(title + " | " + options.body); };
                window.Notification.permission = "granted";
                window.Notification.requestPermission = () => Promise.resolve("granted");
                """);
        page.navigate(base + "/sessions/" + s.id() + "/terminal");
        // Claude Code runs this hook after a minute without input; its script appends exactly this line.
        Files.writeString(s.runDir().resolve("out.jsonl"),
                "{\"type\": \"burrow_hook\", \"hook\": \"Notification\", \"session_id\": \"c0ffee\", \"message\": \"Claude is waiting for your input\"}\n",
                StandardOpenOption.APPEND);
        page.waitForFunction("() => window.shown.length > 0");
        assertThat((String) page.evaluate("() => window.shown[0]")).isEqualTo(repo + " | Claude is waiting for your input");
    }
}
