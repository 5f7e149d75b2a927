package dev.burrow.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The head of one request on a session's Podman socket, read strictly: whatever two parsers
 * could read two ways (a bare LF, folded lines, two lengths, a length beside chunking, odd
 * bytes) is refused, so what Burrow checks is what Podman reads. Burrow then writes a head of
 * its own upstream: nothing of the client's head passes as it came.
 *
 * @param method  GET, HEAD, POST, PUT or DELETE
 * @param target  the path and query, as sent
 * @param headers in order, names as sent
 * @param length  the Content-Length, or -1 for none
 * @param chunked the body is chunked
 */
public record RequestHead(String method, String target, List<Header> headers, long length, boolean chunked) {
    public static final int MAX_HEAD = 64 * 1024;
    private static final Pattern REQUEST_LINE = Pattern.compile("(GET|HEAD|POST|PUT|DELETE) (/[\\x21-\\x7e]*) HTTP/1\\.1");
    private static final Pattern FIELD = Pattern.compile("([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \\t]*([\\x21-\\x7e]([\\x20-\\x7e\\t]*[\\x21-\\x7e])?)?[ \\t]*");

    public record Header(String name, String value) {
    }

    /** Reads a head, or empty when the client closed before sending one. */
    public static Optional<RequestHead> read(InputStream in) throws IOException, Refusal {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int total = 0;
        boolean cr = false;
        for (int b; ; ) {
            b = in.read();
            if (b < 0) {
                if (total == 0) return Optional.empty();
                throw Refusal.badRequest("the request ended inside its head");
            }
            if (++total > MAX_HEAD) throw Refusal.badRequest("request head over 64 KiB");
            if (cr) {
                if (b != '\n') throw Refusal.badRequest("a CR without LF in the request head");
                cr = false;
                if (line.size() == 0) break;
                lines.add(line.toString(StandardCharsets.ISO_8859_1));
                line.reset();
            } else if (b == '\r') {
                cr = true;
            } else if (b == '\n') {
                throw Refusal.badRequest("a bare LF in the request head");
            } else {
                line.write(b);
            }
        }
        if (lines.isEmpty()) throw Refusal.badRequest("an empty request head");
        return Optional.of(parse(lines));
    }

    private static RequestHead parse(List<String> lines) throws Refusal {
        var m = REQUEST_LINE.matcher(lines.getFirst());
        if (!m.matches()) throw Refusal.badRequest("not a request line Burrow accepts: " + printable(lines.getFirst()));
        List<Header> headers = new ArrayList<>();
        long length = -1;
        boolean chunked = false;
        boolean sawEncoding = false;
        for (String l : lines.subList(1, lines.size())) {
            if (l.startsWith(" ") || l.startsWith("\t")) throw Refusal.badRequest("a folded header line");
            var f = FIELD.matcher(l);
            if (!f.matches()) throw Refusal.badRequest("a malformed header line: " + printable(l));
            String name = f.group(1);
            String value = f.group(2) == null ? "" : f.group(2);
            switch (name.toLowerCase(Locale.ROOT)) {
                case "content-length" -> {
                    if (length >= 0) throw Refusal.badRequest("two Content-Length headers");
                    if (!value.matches("\\d{1,15}")) throw Refusal.badRequest("a bad Content-Length: " + printable(value));
                    length = Long.parseLong(value);
                }
                case "transfer-encoding" -> {
                    if (sawEncoding) throw Refusal.badRequest("two Transfer-Encoding headers");
                    if (!value.equalsIgnoreCase("chunked")) throw Refusal.badRequest("a Transfer-Encoding other than chunked");
                    sawEncoding = true;
                    chunked = true;
                }
                default -> headers.add(new Header(name, value));
            }
        }
        if (chunked && length >= 0) throw Refusal.badRequest("both Content-Length and Transfer-Encoding");
        return new RequestHead(m.group(1), m.group(2), List.copyOf(headers), length, chunked);
    }

    /** The value of a header (first of that name, any case), or null. */
    public String header(String name) {
        return headers.stream().filter(h -> h.name().equalsIgnoreCase(name)).map(Header::value).findFirst().orElse(null);
    }

    public boolean hasBody() {
        return chunked || length > 0;
    }

    private static String printable(String s) {
        String cut = s.length() > 120 ? s.substring(0, 120) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
