package dev.burrow.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real git server for the tests: git's own smart-HTTP backend (`git http-backend`) behind
 * HTTP Basic authentication, as a private repository on a git host is. Only the user
 * x-access-token with the token gets in. Under /api/v3 it stands in for the host's REST API as
 * a request recorder: it records what it is sent (and with which credential) and answers
 * minimal JSON (a repository's default branch, an opened pull request's address), which proves
 * what Burrow sends, not how GitHub behaves.
 */
final class GitHttpServer implements AutoCloseable {
    private final HttpServer server;
    private final Path root;
    private final String expected;
    final AtomicInteger refused = new AtomicInteger();
    final AtomicInteger served = new AtomicInteger();
    /** Every request under /api: "METHOD PATH auth=AUTHORIZATION body=BODY". */
    final java.util.List<String> api = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Every Authorization header the git side was sent, in order. */
    final java.util.List<String> gitCredentials = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final String token;
    private final String host;

    GitHttpServer(Path root, String token) throws IOException {
        this(root, token, InetAddress.getLoopbackAddress(), null);
    }

    /** On {@code address}, over HTTPS with {@code tls} (a certificate for that address) when not null. */
    GitHttpServer(Path root, String token, InetAddress address, javax.net.ssl.SSLContext tls) throws IOException {
        this.root = root;
        this.token = token;
        this.expected = "Basic " + Base64.getEncoder().encodeToString(("x-access-token:" + token).getBytes(StandardCharsets.UTF_8));
        this.host = address.getHostAddress();
        if (tls == null) {
            server = HttpServer.create(new InetSocketAddress(address, 0), 16);
        } else {
            com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress(address, 0), 16);
            https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
            server = https;
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    /** http://127.0.0.1:PORT, or https://ADDRESS:PORT */
    String base() {
        return (server instanceof com.sun.net.httpserver.HttpsServer ? "https" : "http") + "://" + host + ":" + server.getAddress().getPort();
    }

    private void api(HttpExchange ex) throws IOException {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        String path = ex.getRequestURI().getPath();
        api.add(ex.getRequestMethod() + " " + path + " auth=" + auth + " body=" + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("/api/v3/repos/([^/]+)/([^/]+)(/pulls)?").matcher(path);
        int status;
        String json;
        if (!("token " + token).equals(auth)) {
            status = 401;
            json = "{\"message\":\"Bad credentials\"}";
        } else if (m.matches() && m.group(3) == null && ex.getRequestMethod().equals("GET")) {
            status = 200;
            json = "{\"full_name\":\"" + m.group(1) + "/" + m.group(2) + "\",\"default_branch\":\"main\"}";
        } else if (m.matches() && m.group(3) != null && ex.getRequestMethod().equals("POST")) {
            status = 201;
            json = "{\"number\":1,\"html_url\":\"" + base() + "/" + m.group(1) + "/" + m.group(2) + "/pull/1\"}";
        } else {
            status = 404;
            json = "{\"message\":\"Not Found\"}";
        }
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (ex.getRequestURI().getPath().startsWith("/api/")) {
                api(ex);
                return;
            }
            gitCredentials.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            if (!expected.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                refused.incrementAndGet();
                ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"git\"");
                ex.sendResponseHeaders(401, -1);
                return;
            }
            served.incrementAndGet();
            ProcessBuilder pb = new ProcessBuilder("git", "http-backend");
            Map<String, String> env = pb.environment();
            env.put("GIT_PROJECT_ROOT", root.toString());
            env.put("GIT_HTTP_EXPORT_ALL", "1");
            env.put("REMOTE_USER", "x-access-token");
            env.put("REMOTE_ADDR", "127.0.0.1");
            env.put("REQUEST_METHOD", ex.getRequestMethod());
            env.put("PATH_INFO", ex.getRequestURI().getPath());
            env.put("QUERY_STRING", ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery());
            String type = ex.getRequestHeaders().getFirst("Content-Type");
            if (type != null) env.put("CONTENT_TYPE", type);
            String encoding = ex.getRequestHeaders().getFirst("Content-Encoding");
            if (encoding != null) env.put("HTTP_CONTENT_ENCODING", encoding);
            String length = ex.getRequestHeaders().getFirst("Content-Length");
            if (length != null) env.put("CONTENT_LENGTH", length);
            Process p = pb.start();
            Thread feed = Thread.ofVirtual().start(() -> {
                try (OutputStream in = p.getOutputStream()) {
                    ex.getRequestBody().transferTo(in);
                } catch (IOException ignored) {
                    // the backend stopped reading
                }
            });
            Thread.ofVirtual().start(() -> {
                try {
                    p.getErrorStream().transferTo(OutputStream.nullOutputStream());
                } catch (IOException ignored) {
                    // gone
                }
            });
            InputStream out = new BufferedInputStream(p.getInputStream());
            int status = 200;
            for (String line; !(line = readLine(out)).isEmpty(); ) {
                int colon = line.indexOf(':');
                String name = line.substring(0, colon).strip();
                String value = line.substring(colon + 1).strip();
                if (name.equalsIgnoreCase("Status")) status = Integer.parseInt(value.split(" ")[0]);
                else ex.getResponseHeaders().add(name, value);
            }
            ex.sendResponseHeaders(status, 0);
            out.transferTo(ex.getResponseBody());
            feed.join();
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) >= 0 && c != '\n'; ) if (c != '\r') b.write(c);
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
