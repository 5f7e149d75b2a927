package dev.burrow.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A scripted stand-in for the Anthropic Messages API, for the benchmarks and the tests: the
 * real API cannot be reached from the build machines. The real Claude Code talks to it over
 * ANTHROPIC_BASE_URL exactly as it would talk to Anthropic, with streamed answers.
 *
 * <p>What it answers depends on the last user message:
 * <ul>
 *   <li>a tool result: "Done." and the turn ends;</li>
 *   <li>a prompt with {@code BASH: command}: a Bash tool call running that command;</li>
 *   <li>a prompt with {@code SLOW}: a long answer streamed slowly (for interrupts);</li>
 *   <li>a prompt with {@code API_ERROR}: an HTTP 400 error;</li>
 *   <li>anything else: a short text answer that quotes the prompt.</li>
 * </ul>
 * It authenticates like Anthropic: an API key, or a bearer token from a login it issued
 * ({@link ScriptedLogin}), which it also renews.
 * Every request is recorded, so a test can see what Claude Code sent (earlier messages on resume).
 */
public final class ScriptedModel implements AutoCloseable {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    public static final String REPLY_PREFIX = "Hello from the scripted model: ";

    private final HttpServer server;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final List<String> credentials = new CopyOnWriteArrayList<>();
    private final List<String> unscripted = new CopyOnWriteArrayList<>();
    private final ScriptedLogin login = new ScriptedLogin();
    private volatile long slowChunkMillis = 400;
    private volatile String requiredKey;
    private volatile String answeringModel = "claude-scripted";

    static {
        // A real API server sends each event of a stream at once (TCP_NODELAY). The JDK's server does
        // not by default, and on a kept-alive connection each small event after the first then waits
        // for the client's delayed ACK: 40 ms that Burrow would seem to add.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    public ScriptedModel() throws IOException {
        this(null);
    }

    /** Over HTTPS with this server context (a certificate for 127.0.0.1), or plain HTTP when null. */
    public ScriptedModel(javax.net.ssl.SSLContext tls) throws IOException {
        this(tls, InetAddress.getLoopbackAddress());
    }

    /** On {@code address} (a certificate for it in {@code tls}, when not null). */
    public ScriptedModel(javax.net.ssl.SSLContext tls, InetAddress address) throws IOException {
        InetSocketAddress at = new InetSocketAddress(address, 0);
        if (tls == null) {
            server = HttpServer.create(at, 64);
        } else {
            com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(at, 64);
            https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
            server = https;
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Serves until killed and prints its base URL, for trying Burrow by hand (and attacking it)
     * where the real API is out of reach: {@code java -cp target/burrow.jar:target/burrow-bench.jar
     * dev.burrow.bench.ScriptedModel}, then ANTHROPIC_BASE_URL=that URL and ANTHROPIC_API_KEY=anything.
     */
    public static void main(String[] args) throws Exception {
        ScriptedModel model = new ScriptedModel();
        System.out.println(model.baseUrl());
        System.out.flush();
        Thread.currentThread().join();
    }

    /** The base URL to give Claude Code as ANTHROPIC_BASE_URL. */
    public String baseUrl() {
        return (server instanceof com.sun.net.httpserver.HttpsServer ? "https" : "http") + "://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    /** When (System.nanoTime) the final answer to each prompt was fully sent, by the prompt's text. */
    public java.util.Map<String, Long> answered() {
        return java.util.Map.copyOf(answered);
    }

    private final java.util.Map<String, Long> answered = new java.util.concurrent.ConcurrentHashMap<>();

    public List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    /** What each Messages request authenticated with: "Bearer TOKEN" or "x-api-key KEY", in order. */
    public List<String> credentials() {
        return List.copyOf(credentials);
    }

    /** Requests it had no script for ("METHOD PATH"), answered 404. */
    public List<String> unscripted() {
        return List.copyOf(unscripted);
    }

    /** The model its answers name (their usage is priced by that name). */
    public void answerAs(String model) {
        answeringModel = model;
    }

    /** From now on an x-api-key other than {@code key} is refused, as Anthropic refuses a key it never issued. */
    public void requireApiKey(String key) {
        requiredKey = key;
    }

    /** How long it waits before answering a plain prompt, as a real model thinks (the load bench; 0 by default). */
    public void thinkMillis(long ms) {
        thinkMillis = ms;
    }

    private volatile long thinkMillis;

    public void slowChunkMillis(long ms) {
        slowChunkMillis = ms;
    }

    /** True when some request carried this text in any of its messages. */
    public boolean sawText(String text) {
        return requests.stream().anyMatch(r -> r.path("messages").toString().contains(text));
    }

    /** Its OAuth side: logins it issued, and their renewals. */
    public ScriptedLogin login() {
        return login;
    }

    /** Where Burrow renews the logins this stand-in issued (Anthropic's is platform.claude.com/v1/oauth/token). */
    public String tokenUrl() {
        return baseUrl() + ScriptedLogin.TOKEN_PATH;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (ex.getRequestMethod().equals("POST") && ex.getRequestURI().getPath().equals(ScriptedLogin.TOKEN_PATH)) {
                login.renew(ex);
                return;
            }
            if (!ex.getRequestMethod().equals("POST") || !ex.getRequestURI().getPath().endsWith("/v1/messages")) {
                unscripted.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath());
                send(ex, 404, "application/json", error("not_found_error", "not scripted: " + ex.getRequestURI().getPath()));
                return;
            }
            JsonNode req = JSON.readTree(ex.getRequestBody().readAllBytes());
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            credentials.add(auth != null ? auth : "x-api-key " + ex.getRequestHeaders().getFirst("x-api-key"));
            requests.add(req);
            if (auth != null && !(auth.startsWith("Bearer ") && login.accepts(auth.substring(7)))) {
                // As Anthropic answers a token it never issued, or one that has expired.
                send(ex, 401, "application/json", error("authentication_error", "Invalid bearer token"));
                return;
            }
            String key = ex.getRequestHeaders().getFirst("x-api-key");
            if (auth == null && requiredKey != null && !requiredKey.equals(key)) {
                send(ex, 401, "application/json", error("authentication_error", "invalid x-api-key"));
                return;
            }
            boolean hasTools = req.path("tools").isArray() && !req.path("tools").isEmpty();
            JsonNode last = lastUserMessage(req);
            String prompt = textOf(last);
            boolean stream = req.path("stream").asBoolean(false);
            if (!hasTools) {
                reply(ex, stream, List.of(text("ok")), "end_turn", 0);
            } else if (hasToolResult(last)) {
                reply(ex, stream, List.of(text("Done.")), "end_turn", 0);
            } else if (prompt.contains("API_ERROR")) {
                send(ex, 400, "application/json", error("invalid_request_error", "scripted failure for this prompt"));
            } else if (prompt.contains("BASH:")) {
                String command = prompt.substring(prompt.indexOf("BASH:") + 5).strip().lines().findFirst().orElse("true");
                ObjectNode input = JSON.createObjectNode().put("command", command).put("description", "Run the scripted command");
                ObjectNode tool = JSON.createObjectNode().put("type", "tool_use").put("id", "toolu_" + id()).put("name", "Bash");
                tool.set("input", input);
                reply(ex, stream, List.of(text("I will run it."), tool), "tool_use", 0);
            } else if (prompt.contains("SLOW")) {
                reply(ex, stream, List.of(text("This answer streams slowly. ".repeat(40))), "end_turn", slowChunkMillis);
            } else {
                String quoted = prompt.length() > 60 ? prompt.substring(0, 60) : prompt;
                if (thinkMillis > 0) Thread.sleep(thinkMillis);
                reply(ex, stream, List.of(text(REPLY_PREFIX + quoted)), "end_turn", 0);
                // When the last byte of a turn's final answer went out (./burrow bench load times from here).
                answered.put(prompt, System.nanoTime());
            }
        } catch (IOException | RuntimeException e) {
            // The client went away (an interrupt): nothing to answer.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static JsonNode lastUserMessage(JsonNode req) {
        JsonNode last = JSON.createObjectNode();
        for (JsonNode m : req.path("messages")) if ("user".equals(m.path("role").asString(""))) last = m;
        return last;
    }

    private static boolean hasToolResult(JsonNode message) {
        for (JsonNode b : message.path("content")) if ("tool_result".equals(b.path("type").asString(""))) return true;
        return false;
    }

    /** The user's own words in a message, without the reminders Claude Code adds. */
    private static String textOf(JsonNode message) {
        JsonNode c = message.path("content");
        if (c.isString()) return c.asString();
        StringBuilder sb = new StringBuilder();
        for (JsonNode b : c) {
            String t = b.path("text").asString("");
            if ("text".equals(b.path("type").asString("")) && !t.startsWith("<system-reminder>")) sb.append(t).append('\n');
        }
        return sb.toString().strip();
    }

    private static ObjectNode text(String t) {
        return JSON.createObjectNode().put("type", "text").put("text", t);
    }

    private static String id() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    }

    private static String error(String type, String message) {
        ObjectNode err = JSON.createObjectNode().put("type", "error");
        err.set("error", JSON.createObjectNode().put("type", type).put("message", message));
        return err.toString();
    }

    private void reply(HttpExchange ex, boolean stream, List<ObjectNode> blocks, String stopReason, long chunkDelayMs)
            throws IOException {
        ObjectNode usage = JSON.createObjectNode().put("input_tokens", 100).put("output_tokens", 20)
                .put("cache_read_input_tokens", 0).put("cache_creation_input_tokens", 0);
        ObjectNode message = JSON.createObjectNode().put("id", "msg_" + id()).put("type", "message").put("role", "assistant")
                .put("model", answeringModel).putNull("stop_sequence");
        if (!stream) {
            message.set("content", JSON.valueToTree(blocks));
            message.put("stop_reason", stopReason);
            message.set("usage", usage);
            send(ex, 200, "application/json", message.toString());
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        message.set("content", JSON.createArrayNode());
        message.putNull("stop_reason");
        message.set("usage", usage);
        event(out, "message_start", JSON.createObjectNode().put("type", "message_start").set("message", message));
        for (int i = 0; i < blocks.size(); i++) {
            ObjectNode b = blocks.get(i);
            boolean isTool = "tool_use".equals(b.path("type").asString(""));
            ObjectNode start = isTool
                    ? JSON.createObjectNode().put("type", "tool_use").put("id", b.path("id").asString()).put("name", b.path("name").asString())
                    : JSON.createObjectNode().put("type", "text").put("text", "");
            if (isTool) start.set("input", JSON.createObjectNode());
            event(out, "content_block_start", JSON.createObjectNode().put("type", "content_block_start").put("index", i).set("content_block", start));
            List<String> pieces = isTool ? List.of(b.path("input").toString()) : chunks(b.path("text").asString(), chunkDelayMs > 0 ? 24 : 1);
            for (String piece : pieces) {
                ObjectNode delta = isTool
                        ? JSON.createObjectNode().put("type", "input_json_delta").put("partial_json", piece)
                        : JSON.createObjectNode().put("type", "text_delta").put("text", piece);
                event(out, "content_block_delta", JSON.createObjectNode().put("type", "content_block_delta").put("index", i).set("delta", delta));
                if (chunkDelayMs > 0) sleep(chunkDelayMs);
            }
            event(out, "content_block_stop", JSON.createObjectNode().put("type", "content_block_stop").put("index", i));
        }
        ObjectNode delta = JSON.createObjectNode().put("stop_reason", stopReason).putNull("stop_sequence");
        ObjectNode md = JSON.createObjectNode().put("type", "message_delta");
        md.set("delta", delta);
        md.set("usage", JSON.createObjectNode().put("output_tokens", 20));
        event(out, "message_delta", md);
        event(out, "message_stop", JSON.createObjectNode().put("type", "message_stop"));
    }

    private static List<String> chunks(String s, int n) {
        int size = Math.max(1, (s.length() + n - 1) / n);
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < s.length(); i += size) out.add(s.substring(i, Math.min(s.length(), i + size)));
        return out;
    }

    private static void event(OutputStream out, String name, JsonNode data) throws IOException {
        out.write(("event: " + name + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
