package dev.burrow.it;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A small HTTP client for the API tests, cookie and CSRF aware, with an SSE reader. */
final class WebClient {
    record Response(int status, String body, Map<String, List<String>> headers) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).flatMap(e -> e.getValue().stream())
                    .findFirst().orElse(null);
        }
    }

    /** One server-sent event as received. */
    record Sse(String id, String event, String data) {
    }

    final String base;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String cookie;
    String csrf;
    String bearer;

    WebClient(String base) {
        this.base = base;
    }

    Response send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        if (cookie != null) b.header("Cookie", cookie);
        if (csrf != null) b.header("X-CSRF-Token", csrf);
        if (bearer != null) b.header("Authorization", "Bearer " + bearer);
        for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.body(), r.headers().map());
    }

    Response get(String path, String... headers) throws Exception {
        return send("GET", path, null, headers);
    }

    Response post(String path, String body, String... headers) throws Exception {
        return send("POST", path, body, headers);
    }

    /** Logs in and keeps the cookie and the CSRF token. */
    Response login(String password, String... headers) throws Exception {
        Response r = post("/api/login", "{\"password\":\"" + password + "\"}", headers);
        if (r.status() == 200) {
            cookie = r.header("Set-Cookie").split(";")[0];
            csrf = r.body().replaceAll(".*\"csrfToken\":\"([^\"]+)\".*", "$1");
        }
        return r;
    }

    /** Reads events from an SSE endpoint until {@code until} says stop or the stream ends; then disconnects. */
    List<Sse> readEvents(String path, String lastEventId, java.util.function.Predicate<List<Sse>> until, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "text/event-stream");
        if (cookie != null) b.header("Cookie", cookie);
        if (bearer != null) b.header("Authorization", "Bearer " + bearer);
        if (lastEventId != null) b.header("Last-Event-ID", lastEventId);
        for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        HttpResponse<java.io.InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        List<Sse> events = new ArrayList<>();
        if (r.statusCode() != 200) {
            r.body().close();
            events.add(new Sse(null, "http-status", String.valueOf(r.statusCode())));
            return events;
        }
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String id = null;
            String event = null;
            StringBuilder data = new StringBuilder();
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isEmpty()) {
                    if (event != null || !data.isEmpty()) events.add(new Sse(id, event, data.toString()));
                    id = null;
                    event = null;
                    data.setLength(0);
                    if (until.test(events)) break;
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("event:")) {
                    event = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    if (!data.isEmpty()) data.append('\n');
                    data.append(line.substring(5).strip());
                }
            }
        }
        return events;
    }
}
