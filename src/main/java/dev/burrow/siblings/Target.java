package dev.burrow.siblings;

import dev.burrow.http.Refusal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A request target taken apart: which API ({@code /libpod/...} is Podman's own, the rest
 * Docker's), its version prefix, the path after them and the query. Upstream gets a target
 * Burrow writes from these parts, so what the gate matched is what Podman routes.
 *
 * @param version "/v4.3.1" or "" (kept: it changes how Podman answers)
 * @param libpod  Podman's own API
 * @param segments the path after the prefixes, such as [containers, abc, start], each decoded
 * @param query   the query, decoded, in order; a name sent twice keeps every value
 */
record Target(String version, boolean libpod, List<String> segments, Map<String, List<String>> query) {
    private static final Pattern VERSION = Pattern.compile("v\\d{1,3}(\\.\\d{1,3}){0,2}");
    private static final Pattern RAW_PATH = Pattern.compile("(/[A-Za-z0-9_.:@+%-]+)*/?");
    // What a decoded segment may hold: image names add '/', ':' and '@' to what names of containers use.
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_.:@+/-]+");

    static Target parse(String raw) throws Refusal {
        int q = raw.indexOf('?');
        String rawPath = q < 0 ? raw : raw.substring(0, q);
        String rawQuery = q < 0 ? "" : raw.substring(q + 1);
        if (!RAW_PATH.matcher(rawPath).matches()) throw Refusal.badRequest("a path Burrow does not accept: " + rawPath);
        List<String> segs = new ArrayList<>();
        for (String raw1 : rawPath.split("/")) {
            if (raw1.isEmpty()) continue;
            String seg = decode(raw1, false);
            if (!SEGMENT.matcher(seg).matches() || seg.equals(".") || seg.equals("..") || seg.startsWith("/") || seg.endsWith("/")
                    || seg.contains("//") || seg.contains("/./") || seg.contains("/../") || seg.startsWith("./") || seg.startsWith("../")
                    || seg.endsWith("/.") || seg.endsWith("/..")) {
                throw Refusal.badRequest("a path segment Burrow does not accept: " + raw1);
            }
            segs.add(seg);
        }
        String version = "";
        if (!segs.isEmpty() && VERSION.matcher(segs.getFirst()).matches()) version = "/" + segs.removeFirst();
        boolean libpod = !segs.isEmpty() && segs.getFirst().equals("libpod");
        if (libpod) segs.removeFirst();
        return new Target(version, libpod, List.copyOf(segs), parseQuery(rawQuery));
    }

    /** The path after the prefixes, for messages. */
    String path() {
        return "/" + String.join("/", segments);
    }

    private static Map<String, List<String>> parseQuery(String raw) throws Refusal {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw.isEmpty()) return out;
        for (String pair : raw.split("&", -1)) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq), true);
            // Podman's parameter names are ASCII; Go and Java fold other letters differently (ſ, ﬁ, İ, K).
            if (!k.matches("[A-Za-z0-9_.-]+")) throw Refusal.badRequest("query parameter names are letters, digits, '_', '.' and '-', not " + k);
            String val = eq < 0 ? "" : decode(pair.substring(eq + 1), true);
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(val);
        }
        // Podman reads some names in any case; two spellings of one name would be two readings.
        Map<String, String> seen = new LinkedHashMap<>();
        for (String k : out.keySet()) {
            String prior = seen.put(Fields.fold(k), k);
            if (prior != null && !k.equalsIgnoreCase("detachkeys")) throw Refusal.badRequest("query parameter " + k + " sent under two spellings");
        }
        return out;
    }

    /** Decodes like Go's url unescaping ('+' is a space in a query), refusing bad escapes and bad UTF-8. */
    static String decode(String s, boolean query) throws Refusal {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0 || Character.digit(s.charAt(i + 2), 16) < 0) {
                    throw Refusal.badRequest("a bad percent escape");
                }
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else if (c == '+' && query) {
                out.write(' ');
            } else {
                out.write(c);
            }
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out.toByteArray())).toString();
            if (text.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) throw Refusal.badRequest("control characters in the request target");
            return text;
        } catch (CharacterCodingException e) {
            throw Refusal.badRequest("bad UTF-8 in the request target");
        }
    }

    /**
     * The one value of {@code name} in any letter case (Podman reads names in any case; two
     * spellings of one name were refused when parsing), or "" when absent; refused when sent twice.
     */
    String param(String name) throws Refusal {
        List<String> vs = params(name);
        if (vs.isEmpty()) return "";
        if (vs.size() > 1) throw Refusal.badRequest("query parameter " + name + " sent twice");
        return vs.getFirst();
    }

    /** Every value of {@code name}, in any letter case. */
    List<String> params(String name) {
        for (var e : query.entrySet()) if (e.getKey().equalsIgnoreCase(name)) return e.getValue();
        return List.of();
    }

    /** A copy of the query with {@code name} (in whatever case it was sent) set to {@code values}. */
    Map<String, List<String>> with(Map<String, List<String>> q, String name, List<String> values) {
        Map<String, List<String>> out = new LinkedHashMap<>(q);
        out.keySet().removeIf(k -> k.equalsIgnoreCase(name));
        out.put(name, values);
        return out;
    }

    /** This request's own path and {@code newQuery}, encoded by Burrow. */
    String upstream(Map<String, List<String>> newQuery) {
        return upstream(segments, newQuery);
    }

    /** The target to send upstream: this one's prefixes, {@code newSegments} and {@code newQuery}, each encoded by Burrow. */
    String upstream(List<String> newSegments, Map<String, List<String>> newQuery) {
        StringBuilder sb = new StringBuilder(version).append(libpod ? "/libpod" : "");
        for (String seg : newSegments) sb.append('/').append(encode(seg));
        char sep = '?';
        for (var e : newQuery.entrySet()) {
            for (String v : e.getValue()) {
                sb.append(sep).append(encode(e.getKey())).append('=').append(encode(v));
                sep = '&';
            }
        }
        return sb.toString();
    }

    static String encode(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(String.format("%02X", c));
            }
        }
        return sb.toString();
    }
}
