package dev.burrow.bench;

import dev.burrow.gateway.ModelGateway;
import dev.burrow.gateway.UpstreamCredential;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * `./burrow bench gateway`: the first-token latency the model gateway adds. The scripted model
 * streams an answer; a client asks it for one directly (HTTP over loopback TCP, as Claude
 * Code would without Burrow) and through a session's gateway (its unix socket, placeholder in,
 * real key out), alternately, and times the arrival of the first text delta. The gateway's
 * part is the difference of the medians; the container's own relay (runner/burrow-egress) is
 * not in it.
 */
public final class GatewayBench {
    private static final String PLACEHOLDER = "burrow-session-bench0000000000000000000000000000000000";
    private static final String BODY = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"stream\":true,"
            + "\"tools\":[{\"name\":\"Bash\",\"input_schema\":{\"type\":\"object\"}}],\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";

    private final PrintStream out;

    public GatewayBench(PrintStream out) {
        this.out = out;
    }

    public int run(int runs) throws Exception {
        Path dir = Files.createTempDirectory("burrow-bench-gateway");
        try (ScriptedModel model = new ScriptedModel()) {
            model.requireApiKey("sk-bench-real-key");
            URI base = URI.create(model.baseUrl());
            Path socket = dir.resolve("model.sock");
            try (ModelGateway gateway = ModelGateway.start("bench-session", socket,
                    new ModelGateway.Route(base, PLACEHOLDER, () -> new UpstreamCredential.ApiKey("sk-bench-real-key")), HttpClient.newHttpClient(), e -> { })) {
                out.println("bench gateway: " + runs + " streamed answers each way, after " + runs / 4 + " warm-up rounds; time to the first text delta");
                List<Long> direct = new ArrayList<>();
                List<Long> through = new ArrayList<>();
                for (int i = -runs / 4; i < runs; i++) {
                    long d = firstToken(() -> new Socket(InetAddress.getLoopbackAddress(), base.getPort()), "x-api-key: sk-bench-real-key");
                    long g = firstToken(() -> SocketChannel.open(UnixDomainSocketAddress.of(socket)), "x-api-key: " + PLACEHOLDER);
                    if (i >= 0) {
                        direct.add(d);
                        through.add(g);
                    }
                }
                double dp50 = pct(direct, 50);
                double gp50 = pct(through, 50);
                out.printf("direct:  p50 %.2f ms, p90 %.2f ms%n", dp50, pct(direct, 90));
                out.printf("gateway: p50 %.2f ms, p90 %.2f ms%n", gp50, pct(through, 90));
                out.printf("added at p50: %.2f ms (target: at most 5 ms)%n", gp50 - dp50);
                return gp50 - dp50 <= 5 ? 0 : 1;
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        }
    }

    interface Connect {
        AutoCloseable open() throws IOException;
    }

    /** Nanoseconds from sending the request to reading the first text delta of the answer. */
    private static long firstToken(Connect connect, String credential) throws Exception {
        try (AutoCloseable c = connect.open()) {
            OutputStream o;
            InputStream in;
            if (c instanceof Socket s) {
                s.setTcpNoDelay(true);
                o = s.getOutputStream();
                in = new BufferedInputStream(s.getInputStream());
            } else {
                SocketChannel ch = (SocketChannel) c;
                o = Channels.newOutputStream(ch);
                in = new BufferedInputStream(Channels.newInputStream(ch));
            }
            byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
            byte[] head = ("POST /v1/messages?beta=true HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + credential
                    + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
            long start = System.nanoTime();
            o.write(head);
            o.write(body);
            o.flush();
            String marker = "text_delta";
            int matched = 0;
            for (int b; (b = in.read()) >= 0; ) {
                matched = b == marker.charAt(matched) ? matched + 1 : (b == marker.charAt(0) ? 1 : 0);
                if (matched == marker.length()) return System.nanoTime() - start;
            }
            throw new IOException("the answer ended without a text delta");
        }
    }

    private static double pct(List<Long> nanos, int p) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100)) / 1e6;
    }
}
