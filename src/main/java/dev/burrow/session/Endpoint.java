package dev.burrow.session;

import dev.burrow.session.SessionException.Kind;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;

/**
 * A quick look at the model endpoint before a container starts: Claude Code itself would
 * retry an unreachable endpoint for minutes before saying anything.
 */
final class Endpoint {
    private Endpoint() {
    }

    static void check(String baseUrl) {
        if (baseUrl == null || baseUrl.isBlank()) return; // Anthropic's own API: Claude Code's default
        URI u;
        try {
            u = URI.create(baseUrl);
        } catch (IllegalArgumentException e) {
            throw new SessionException(Kind.UNAVAILABLE, "ANTHROPIC_BASE_URL is not a URL: " + baseUrl);
        }
        if (u.getHost() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))) {
            throw new SessionException(Kind.UNAVAILABLE, "ANTHROPIC_BASE_URL must be an http(s) URL: " + baseUrl);
        }
        int port = u.getPort() > 0 ? u.getPort() : u.getScheme().equals("https") ? 443 : 80;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(u.getHost(), port), 3000);
        } catch (IOException e) {
            throw new SessionException(Kind.UNAVAILABLE, "the model endpoint " + u.getScheme() + "://" + u.getHost() + ":" + port
                    + " is unreachable (" + e.getMessage() + "); check ANTHROPIC_BASE_URL");
        }
    }
}
