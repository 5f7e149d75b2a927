package dev.burrow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.bench.ScriptedModel;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model gateway against the scripted Messages API, spoken to over its socket as the container's Claude Code would. */
class ModelGatewayTest {
    static final String PLACEHOLDER = "burrow-session-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    static final String BODY = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @TempDir
    Path tmp;
    ScriptedModel model;
    ModelGateway gateway;
    final List<ModelExchange> seen = new CopyOnWriteArrayList<>();
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws IOException {
        model = new ScriptedModel();
    }

    @AfterEach
    void stop() {
        if (gateway != null) gateway.close();
        model.close();
    }

    Path open(URI upstream, Supplier<UpstreamCredential> real) throws IOException {
        Path socket = tmp.resolve("model.sock");
        gateway = ModelGateway.start("session-1", socket, new ModelGateway.Route(upstream, PLACEHOLDER, real), http, seen::add);
        return socket;
    }

    record Answer(int status, String head, String body) {
    }

    static String request(String credentialHeader, String connection) {
        byte[] b = BODY.getBytes(StandardCharsets.UTF_8);
        return "POST /v1/messages?beta=true HTTP/1.1\r\nHost: 127.0.0.1:3129\r\nContent-Type: application/json\r\nanthropic-version: 2023-06-01\r\n"
                + credentialHeader + "\r\nAccept-Encoding: gzip, br\r\n" + (connection == null ? "" : "Connection: " + connection + "\r\n")
                + "Content-Length: " + b.length + "\r\n\r\n" + BODY;
    }

    /** Reads one answer: its head, then its chunked (or sized) body. */
    static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("closed inside the head: " + head);
            head.write(b);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(h.substring(9, 12));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String lower = h.toLowerCase(Locale.ROOT);
        if (lower.contains("transfer-encoding: chunked")) {
            while (true) {
                StringBuilder size = new StringBuilder();
                for (int b; (b = in.read()) != '\r'; ) size.append((char) b);
                in.read();
                int n = Integer.parseInt(size.toString(), 16);
                body.write(in.readNBytes(n));
                in.read();
                in.read();
                if (n == 0) break;
            }
        } else {
            int i = lower.indexOf("content-length: ");
            int n = Integer.parseInt(lower.substring(i + 16, lower.indexOf("\r\n", i)));
            body.write(in.readNBytes(n));
        }
        return new Answer(status, h, body.toString(StandardCharsets.UTF_8));
    }

    static Answer exchange(Path socket, String request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            Channels.newOutputStream(ch).write(request.getBytes(StandardCharsets.UTF_8));
            return read(new BufferedInputStream(Channels.newInputStream(ch)));
        }
    }

    @Test
    void thePlaceholderBecomesTheRealKeyAndTheStreamAndItsUsagePassThrough() throws IOException {
        Path socket = open(URI.create(model.baseUrl()), () -> new UpstreamCredential.ApiKey("sk-real-key"));
        Answer a = exchange(socket, request("x-api-key: " + PLACEHOLDER, null));
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.head().toLowerCase(Locale.ROOT)).contains("content-type: text/event-stream");
        assertThat(a.body()).contains("event: message_start").contains("\"ok\"").contains("message_stop");
        assertThat(model.credentials()).containsExactly("x-api-key sk-real-key");
        assertThat(seen).singleElement().satisfies(e -> {
            assertThat(e.inputTokens()).isEqualTo(100);
            assertThat(e.outputTokens()).isEqualTo(20);
            assertThat(e.model()).isEqualTo("claude-scripted");
            assertThat(e.endsTurn()).isTrue();
        });
    }

    @Test
    void aBearerPlaceholderBecomesTheCurrentTokenOnEveryRequestOfAKeptAliveConnection() throws IOException {
        String[] token = {"first-token"};
        Path socket = open(URI.create(model.baseUrl() + "/"), () -> new UpstreamCredential.Bearer(token[0]));
        String t1 = model.login().issue(java.time.Duration.ofHours(1)).accessToken();
        String t2 = model.login().issue(java.time.Duration.ofHours(1)).accessToken();
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            OutputStream out = Channels.newOutputStream(ch);
            InputStream in = new BufferedInputStream(Channels.newInputStream(ch));
            token[0] = t1;
            out.write(request("Authorization: Bearer " + PLACEHOLDER + "\r\nx-api-key: " + PLACEHOLDER, null).getBytes(StandardCharsets.UTF_8));
            assertThat(read(in).status()).isEqualTo(200);
            token[0] = t2; // renewed meanwhile: the next request on the same connection gets the new one
            out.write(request("Authorization: Bearer " + PLACEHOLDER, null).getBytes(StandardCharsets.UTF_8));
            assertThat(read(in).status()).isEqualTo(200);
        }
        assertThat(model.credentials()).containsExactly("Bearer " + t1, "Bearer " + t2);
        assertThat(seen).hasSize(2);
    }

    @Test
    void withoutThePlaceholderNothingOfBurrowsIsAdded() throws IOException {
        Path socket = open(URI.create(model.baseUrl()), () -> new UpstreamCredential.ApiKey("sk-real-key"));
        // A key the agent brought: passed as it is, with nothing of Burrow's.
        assertThat(exchange(socket, request("x-api-key: sk-the-agents-own", "close")).status()).isEqualTo(200);
        // Another placeholder (another session's, its GitHub one, a part of its own) is never sent on.
        for (String other : List.of("burrow-session-someoneelse", PLACEHOLDER.substring(0, 40), "Bearer " + PLACEHOLDER + "x")) {
            Answer a = exchange(socket, request("x-api-key: " + other, "close"));
            assertThat(a.status()).as(other).isEqualTo(403);
            assertThat(a.body()).contains("burrow: a session's credentials are only sent to the hosts they belong to");
        }
        assertThat(model.credentials()).containsExactly("x-api-key sk-the-agents-own");
    }

    @Test
    void aLoginThatCannotBeUsedAndAnUnreachableApiAnswerOneLineAtOnce() throws IOException {
        Path socket = open(URI.create(model.baseUrl()), () -> new UpstreamCredential.Unavailable("the host's Claude login cannot be used: expired"));
        Answer a = exchange(socket, request("Authorization: Bearer " + PLACEHOLDER, null));
        assertThat(a.status()).isEqualTo(401);
        assertThat(a.head()).contains("x-should-retry: false");
        assertThat(a.body()).contains("\"authentication_error\"").contains("burrow: the host's Claude login cannot be used: expired");
        assertThat(model.credentials()).isEmpty();
        gateway.close();

        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        socket = open(URI.create("http://127.0.0.1:" + closedPort), () -> new UpstreamCredential.ApiKey("sk-real-key"));
        Answer b = exchange(socket, request("x-api-key: " + PLACEHOLDER, null));
        assertThat(b.status()).isEqualTo(502);
        assertThat(b.body()).contains("burrow: the model API at 127.0.0.1 cannot be reached");
    }

    @Test
    void onlyModelRequestsPassWithTheCredentialOrWithout() throws IOException {
        Path socket = open(URI.create(model.baseUrl()), () -> new UpstreamCredential.ApiKey("sk-real-key"));
        for (String target : List.of("/v1/files", "/v1/messages/batches", "/api/oauth/profile", "/v1/messages/../files", "/v1/organizations/me",
                "/v1/models/..", "/admin/config", "//v1/messages")) {
            for (String credential : List.of("x-api-key: " + PLACEHOLDER + "\r\n", "")) {
                Answer a = exchange(socket, "GET " + target + " HTTP/1.1\r\n" + credential + "\r\n");
                assertThat(a.status()).as(target).isEqualTo(403);
                assertThat(a.body()).contains("burrow: a session's model gateway passes model requests only");
            }
        }
        Answer inAddress = exchange(socket, "GET /v1/models/burrow-session-" + "x".repeat(43) + " HTTP/1.1\r\nx-api-key: " + PLACEHOLDER + "\r\n\r\n");
        assertThat(inAddress.status()).isEqualTo(403);
        assertThat(inAddress.body()).contains("not in a model request's address");
        assertThat(exchange(socket, "GET /v1/models?k=burrow%2Dsession%2Dx HTTP/1.1\r\n\r\n").status()).isEqualTo(403);
        Answer put = exchange(socket, "PUT /v1/messages HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
        assertThat(put.status()).isEqualTo(403);
        Answer twice = exchange(socket, "POST /v1/messages HTTP/1.1\r\nx-api-key: a\r\nx-api-key: " + PLACEHOLDER + "\r\nContent-Length: 0\r\n\r\n");
        assertThat(twice.status()).isEqualTo(400);
        assertThat(model.credentials()).isEmpty();
    }

    @Test
    void aLargeRequestIsPassedOnAsItArrivesAndOneTooLargeIsRefusedUnread() throws IOException {
        Path socket = open(URI.create(model.baseUrl()), () -> new UpstreamCredential.ApiKey("sk-real-key"));
        Answer big = exchange(socket, "POST /v1/messages HTTP/1.1\r\nx-api-key: " + PLACEHOLDER + "\r\nContent-Length: 67108865\r\n\r\n");
        assertThat(big.status()).isEqualTo(413);
        // 8 MiB of conversation, streamed: the scripted model gets it whole.
        String text = "x".repeat(8 << 20);
        String body = "{\"model\":\"m\",\"max_tokens\":10,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
        Answer a = exchange(socket, "POST /v1/messages HTTP/1.1\r\nx-api-key: " + PLACEHOLDER + "\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\n\r\n" + body);
        assertThat(a.status()).isEqualTo(200);
        assertThat(model.sawText(text)).isTrue();
    }

    @Test
    void aMalformedRequestIsRefusedAndNothingReachesTheApi() throws IOException {
        Path socket = open(URI.create(model.baseUrl()), () -> new UpstreamCredential.ApiKey("sk-real-key"));
        Answer a = exchange(socket, "POST /v1/messages HTTP/1.1\r\nx-api-key: " + PLACEHOLDER + "\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!");
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.body()).contains("two Content-Length headers");
        assertThat(model.credentials()).isEmpty();
    }

    @Test
    void theApiIsAnsweredByItsNameOnlyWhenItIsAnHttpsOriginWithoutAPath() throws IOException {
        assertThat(ModelGateway.interceptedAuthority(URI.create("https://api.anthropic.com"))).isEqualTo("api.anthropic.com:443");
        assertThat(ModelGateway.interceptedAuthority(URI.create("https://API.Anthropic.com:8443/"))).isEqualTo("api.anthropic.com:8443");
        // Plain HTTP is only ever reached through the socket; a path prefix (a LiteLLM's /anthropic) has no name of its own.
        assertThat(ModelGateway.interceptedAuthority(URI.create("http://api.anthropic.com"))).isNull();
        assertThat(ModelGateway.interceptedAuthority(URI.create("https://gw.example/anthropic"))).isNull();
        assertThat(ModelGateway.interceptedAuthority(URI.create("https://gw.example/?x=1"))).isNull();
        open(URI.create("https://api.anthropic.com"), () -> new UpstreamCredential.ApiKey("sk-real"));
        // Without Burrow's TLS side the gateway answers for no name.
        assertThat(gateway.intercepts("api.anthropic.com", 443)).isFalse();
        gateway.close();
        gateway = ModelGateway.start("session-1", tmp.resolve("model2.sock"),
                new ModelGateway.Route(URI.create("https://api.anthropic.com"), PLACEHOLDER, () -> new UpstreamCredential.ApiKey("sk-real")), http, seen::add,
                () -> new ServerTls(BurrowCa.loadOrCreate(tmp.resolve("ca"))));
        assertThat(gateway.intercepts("API.anthropic.com", 443)).isTrue();
        assertThat(gateway.intercepts("api.anthropic.com", 8443)).isFalse();
        assertThat(gateway.intercepts("github.com", 443)).isFalse();
    }

    @Test
    void aJsonAnswerIsMeteredToo() {
        UsageMeter m = new UsageMeter(false);
        byte[] b = ("{\"type\":\"message\",\"model\":\"claude-opus-4-1\",\"stop_reason\":\"tool_use\",\"usage\":{\"input_tokens\":1000000,"
                + "\"output_tokens\":0,\"cache_read_input_tokens\":0,\"cache_creation_input_tokens\":0}}").getBytes(StandardCharsets.UTF_8);
        m.accept(b, 0, 10);
        m.accept(b, 10, b.length - 10);
        ModelExchange e = m.result().orElseThrow();
        assertThat(e.endsTurn()).isFalse();
        assertThat(ModelPrices.cost(e)).isEqualTo(15.0);
        assertThat(ModelPrices.cost(new ModelExchange("claude-scripted", 1, 1, 0, 0, "end_turn"))).isNaN();
        // A model newer than the table is not priced like an older one of its family.
        assertThat(ModelPrices.cost(new ModelExchange("claude-opus-5-5", 1, 1, 0, 0, "end_turn"))).isNaN();
        assertThat(ModelPrices.cost(new ModelExchange("claude-sonnet-4-5-20250929", 1_000_000, 0, 0, 0, "end_turn"))).isEqualTo(3.0);
        assertThat(ModelPrices.cost(new ModelExchange("claude-haiku-4-5", 0, 1_000_000, 0, 0, "end_turn"))).isEqualTo(5.0);
    }
}
