package dev.burrow.web;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * An HTTP/1.1 head (a request's or a response's) passing through the preview proxy, as lines it
 * can filter: what the browser sends for Burrow never reaches the container, and what the
 * container answers can never touch Burrow's cookies.
 */
record PreviewHead(String first, List<String[]> headers) {
    /** Cookies that are Burrow's: its login and the previews' own. */
    static boolean burrowsCookie(String name) {
        // As a lenient cookie parser reads the name: quotes and white space around it go ("burrow_session"=x is that cookie).
        String n = name.strip();
        while (n.length() >= 1 && (n.startsWith("\"") || n.endsWith("\""))) {
            n = (n.startsWith("\"") ? n.substring(1) : n);
            n = (n.endsWith("\"") ? n.substring(0, n.length() - 1) : n).strip();
        }
        n = n.toLowerCase(Locale.ROOT);
        for (String prefix : List.of("__host-", "__secure-")) if (n.startsWith(prefix)) n = n.substring(prefix.length());
        return n.equals(Guard.COOKIE) || n.startsWith(PreviewServer.COOKIE_PREFIX);
    }

    static Optional<PreviewHead> parse(byte[] raw) {
        if (raw == null) return Optional.empty();
        String[] lines = new String(raw, StandardCharsets.ISO_8859_1).split("\r\n");
        if (lines.length == 0 || lines[0].isBlank()) return Optional.empty();
        // A bare CR or LF (or a NUL) inside a line is a line break to some readers and not to others:
        // a header hidden that way would pass the filters below. Such a head is refused whole.
        for (String line : lines) if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0 || line.indexOf(0) >= 0) return Optional.empty();
        List<String[]> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            // A folded or nameless line is not something a browser or a dev server sends: refuse the whole head.
            if (colon <= 0 || lines[i].startsWith(" ") || lines[i].startsWith("\t")) return Optional.empty();
            headers.add(new String[] {lines[i].substring(0, colon).strip(), lines[i].substring(colon + 1).strip()});
        }
        return Optional.of(new PreviewHead(lines[0], headers));
    }

    List<String> all(String name) {
        return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).toList();
    }

    Optional<String> one(String name) {
        return all(name).stream().findFirst();
    }

    PreviewHead without(String name) {
        return new PreviewHead(first, headers.stream().filter(h -> !h[0].equalsIgnoreCase(name)).toList());
    }

    PreviewHead without(Predicate<String[]> header) {
        return new PreviewHead(first, headers.stream().filter(header.negate()).toList());
    }

    PreviewHead with(String name, String value) {
        List<String[]> h = new ArrayList<>(without(name).headers);
        h.add(new String[] {name, value});
        return new PreviewHead(first, h);
    }

    /** The value of the cookie {@code name} in the request's Cookie headers. */
    Optional<String> cookie(String name) {
        return all("Cookie").stream().flatMap(h -> Guard.cookieValues(h, name).stream()).findFirst();
    }

    /** The request without Burrow's cookies (the app's own stay). */
    PreviewHead withoutBurrowsCookies() {
        List<String[]> h = new ArrayList<>();
        for (String[] header : headers) {
            if (!header[0].equalsIgnoreCase("Cookie")) {
                h.add(header);
                continue;
            }
            List<String> kept = new ArrayList<>();
            for (String pair : header[1].split(";")) {
                int eq = pair.indexOf('=');
                String name = eq > 0 ? pair.substring(0, eq) : pair;
                if (!pair.isBlank() && !burrowsCookie(name)) kept.add(pair.strip());
            }
            if (!kept.isEmpty()) h.add(new String[] {"Cookie", String.join("; ", kept)});
        }
        return new PreviewHead(first, h);
    }

    /** The response without what would set, clear or pin Burrow's cookies for this host. */
    PreviewHead withoutCookieTampering() {
        return without(h -> {
            String n = h[0].toLowerCase(Locale.ROOT);
            if (n.equals("clear-site-data") || n.equals("strict-transport-security")) return true;
            if (!n.equals("set-cookie") && !n.equals("set-cookie2")) return false;
            int eq = h[1].indexOf('=');
            return eq <= 0 || burrowsCookie(h[1].substring(0, eq));
        });
    }

    /**
     * How a request's body is framed: chunked, or a length (0 for none). Empty when the head
     * frames it more than one way (Content-Length and Transfer-Encoding, two lengths, a coding
     * other than chunked): readers downstream could take another body, and the next request, from it.
     */
    Optional<Framing> framing() {
        List<String> te = all("Transfer-Encoding");
        List<String> cl = all("Content-Length");
        if (!te.isEmpty() && !cl.isEmpty() || te.size() > 1 || cl.size() > 1) return Optional.empty();
        if (!te.isEmpty()) return te.getFirst().equalsIgnoreCase("chunked") ? Optional.of(new Framing(true, 0)) : Optional.empty();
        if (cl.isEmpty()) return Optional.of(new Framing(false, 0));
        return cl.getFirst().matches("[0-9]{1,15}") ? Optional.of(new Framing(false, Long.parseLong(cl.getFirst()))) : Optional.empty();
    }

    /** A request body's framing: {@code chunked}, else {@code length} bytes. */
    record Framing(boolean chunked, long length) {
        boolean none() {
            return !chunked && length == 0;
        }
    }

    /** The status of a response head ("HTTP/1.1 200 OK"), or -1. */
    int status() {
        String[] parts = first.split(" ");
        return parts.length >= 2 && parts[1].matches("\\d{3}") ? Integer.parseInt(parts[1]) : -1;
    }

    boolean upgradesToWebSocket() {
        return one("Upgrade").map(u -> u.equalsIgnoreCase("websocket")).orElse(false);
    }

    byte[] bytes() {
        StringBuilder b = new StringBuilder(first).append("\r\n");
        for (String[] h : headers) b.append(h[0]).append(": ").append(h[1]).append("\r\n");
        return b.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
