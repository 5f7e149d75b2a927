package dev.burrow.siblings;

import dev.burrow.http.Refusal;

import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The rules request bodies are checked with, field by field. A field the gate does not know
 * passes only when empty (null, false, 0, "", [] or {}: Podman's default); Go reads JSON
 * field names in any case, so two spellings of one name in an object are refused, as are
 * names written twice.
 */
final class Fields {
    static final JsonMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    /** Mount options that neither reach beyond the source nor lift confinement. */
    private static final Set<String> MOUNT_OPTIONS = Set.of("ro", "rw", "z", "Z", "rbind", "bind", "nosuid", "nodev", "noexec", "exec",
            "private", "rprivate", "slave", "rslave", "nocopy", "copy", "notmpcopyup", "tmpcopyup", "noatime", "relatime", "strictatime");
    private static final Pattern SIZED_OPTION = Pattern.compile("(size|mode|tmpfs-size|tmpfs-mode)=[0-9a-zA-Z]{1,20}");

    private Fields() {
    }

    /** Parses a JSON object body, refusing anything else and ambiguous objects. */
    static ObjectNode object(byte[] body, String what) throws Refusal {
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (RuntimeException e) {
            throw Refusal.badRequest(what + " is not JSON Burrow accepts: " + firstLine(e.getMessage()));
        }
        if (!(node instanceof ObjectNode o)) throw Refusal.badRequest(what + " is not a JSON object");
        noTwoSpellings(o, what);
        return o;
    }

    /**
     * A name as Go compares names when it decodes JSON and gorilla/schema queries (strings.EqualFold,
     * simple Unicode folding): "labelſ" is "labels", "K" (Kelvin) is "k".
     */
    static String fold(String name) {
        // Letter by letter, as Go folds (one rune to one rune): String.toUpperCase would turn "ﬁ" into "FI".
        StringBuilder sb = new StringBuilder(name.length());
        name.codePoints().forEach(cp -> sb.appendCodePoint(Character.toLowerCase(Character.toUpperCase(cp))));
        return sb.toString();
    }

    private static void noTwoSpellings(JsonNode node, String what) throws Refusal {
        if (node.isObject()) {
            Set<String> seen = new HashSet<>();
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (!seen.add(fold(e.getKey()))) throw Refusal.badRequest(what + " names " + e.getKey() + " twice");
                noTwoSpellings(e.getValue(), what);
            }
        } else if (node.isArray()) {
            for (JsonNode n : node) noTwoSpellings(n, what);
        }
    }

    static boolean empty(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) return true;
        if (n.isBoolean()) return !n.booleanValue();
        if (n.isNumber()) return n.asDouble() == 0;
        if (n.isString()) return n.asString().isEmpty();
        if (n.isContainer()) return n.isEmpty();
        return false;
    }

    /** Refuses every field of {@code o} outside {@code known} that is not empty. */
    static void onlyKnown(ObjectNode o, Set<String> known, String what) throws Refusal {
        Set<String> folded = new HashSet<>();
        for (String k : known) folded.add(fold(k));
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            // Another spelling of a known name is that field to Go, whatever Burrow checked under the known one.
            if (!known.contains(e.getKey()) && folded.contains(fold(e.getKey()))) {
                throw Refusal.forbidden(what + " " + e.getKey() + " is spelled differently from the field Podman reads; spell it as the API does");
            }
            if (!known.contains(e.getKey()) && !empty(e.getValue())) {
                throw Refusal.forbidden(what + " " + e.getKey() + " is not allowed through a session's Podman socket");
            }
        }
    }

    /** Refuses {@code field} unless it is empty; {@code why} says what it would do. */
    static void mustBeEmpty(JsonNode parent, String field, String why) throws Refusal {
        if (!empty(parent.get(field))) throw Refusal.forbidden(why + " is not allowed in a session (" + field + ")");
    }

    /** The text of a string field, "" when absent or null; refused when of another type. */
    static String text(JsonNode parent, String field) throws Refusal {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return "";
        if (!n.isString()) throw Refusal.badRequest(field + " must be a string");
        return n.asString();
    }

    static void oneOf(JsonNode parent, String field, Set<String> allowed, String why) throws Refusal {
        String v = text(parent, field);
        if (!allowed.contains(v)) throw Refusal.forbidden(why + " " + v + " is not allowed in a session (" + field + ")");
    }

    static void mountOptions(Iterable<String> options, String where) throws Refusal {
        for (String opt : options) {
            if (!MOUNT_OPTIONS.contains(opt) && !SIZED_OPTION.matcher(opt).matches()) {
                throw Refusal.forbidden("mount option " + opt + " is not allowed in a session (" + where + ")");
            }
        }
    }

    /** Drops the client's burrow.* labels and sets the session's. */
    static void label(ObjectNode o, String field, String session) throws Refusal {
        JsonNode l = o.get(field);
        if (l != null && !l.isNull() && !l.isObject()) throw Refusal.badRequest(field + " must be an object");
        ObjectNode labels = l instanceof ObjectNode lo ? lo : o.putObject(field);
        labels.propertyNames().stream().filter(k -> k.toLowerCase(Locale.ROOT).startsWith("burrow.")).toList().forEach(labels::remove);
        labels.put(SessionBox.LABEL, session);
    }

    /**
     * Environment entries as a list of "NAME=VALUE": each must have its value. Podman fills a
     * bare "NAME" (or "NAME*") from its own service's environment, which is the host's, not the
     * session's.
     */
    static void explicitEnv(JsonNode parent, String field) throws Refusal {
        JsonNode env = parent.get(field);
        if (empty(env)) return;
        if (!env.isArray()) throw Refusal.badRequest(field + " must be a list of NAME=VALUE");
        for (JsonNode e : env) {
            if (!e.isString() || !e.asString().contains("=") || e.asString().startsWith("=")) {
                throw Refusal.forbidden("environment entries must be NAME=VALUE: a bare name would be filled from the host's environment ("
                        + firstLine(e.toString()) + ")");
            }
        }
    }

    static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
