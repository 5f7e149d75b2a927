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
 * x-access-token with the token gets in.
 */
final class GitHttpServer implements AutoCloseable {
    private final HttpServer server;
    private final Path root;
    private final String expected;
    final AtomicInteger refused = new AtomicInteger();
    final AtomicInteger served = new AtomicInteger();

    GitHttpServer(Path root, String token) throws IOException {
        this.root = root;
        this.expected = "Basic " + Base64.getEncoder().encodeToString(("x-access-token:" + token).getBytes(StandardCharsets.UTF_8));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    /** http://127.0.0.1:PORT */
    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
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
