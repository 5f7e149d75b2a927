package dev.burrow.siblings;

import dev.burrow.http.Refusal;

import dev.burrow.container.NetworkPolicy;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a Containerfile makes the host's Podman fetch, checked against the session's network
 * before a build: ADD from a URL (fetched by the builder on the host's network, whatever the
 * RUN steps' network is), FROM and COPY --from images (pulled on the host), and RUN options
 * that would give a step the host's network or lift its confinement.
 */
final class Containerfiles {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}$]*))?}|\\$([A-Za-z_][A-Za-z0-9_]*)");

    private Containerfiles() {
    }

    /**
     * Checks {@code text} as any builder could read it: with either escape character (a
     * directive two parsers read differently cannot hide a line), and every physical line on
     * its own as well (a continuation or heredoc two parsers end differently cannot either).
     * {@code buildArgs}: the build's arguments, for images named with a variable.
     */
    static void check(String text, SessionBox box, Images images, Map<String, String> buildArgs) throws Refusal, IOException {
        checkEach(instructions(text, '\\'), box, images, buildArgs);
        checkEach(instructions(text, '`'), box, images, buildArgs);
        checkEach(text.lines().map(Containerfiles::stripSpace).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList(), box, images, buildArgs);
        // And every flag on any physical line, wherever a parser might join it to a RUN: a mount, a network or a security flag
        // is checked as a RUN step's (a blank line inside a continuation ended the RUN for Burrow, not for buildah).
        for (String line : text.split("\r?\n|\r", -1)) {
            List<String> words = words(line);
            for (String w : words) {
                if (Set.of("--mount", "--network", "--security").contains(flagName(w))) runFlags(List.of(w));
            }
        }
    }

    /** Go's white space (unicode.IsSpace, what buildah's parser trims and splits on) and Java's. */
    private static boolean space(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x85;
    }

    static String stripSpace(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && space(s.charAt(a))) a++;
        while (b > a && space(s.charAt(b - 1))) b--;
        return s.substring(a, b);
    }

    /** A line's words, split on white space as either parser sees it. */
    static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (space(c)) {
                if (!w.isEmpty()) out.add(w.toString());
                w.setLength(0);
            } else {
                w.append(c);
            }
        }
        if (!w.isEmpty()) out.add(w.toString());
        return out;
    }

    private static void checkEach(List<String> instructions, SessionBox box, Images images, Map<String, String> buildArgs)
            throws Refusal, IOException {
        Set<String> stages = new HashSet<>();
        Map<String, String> vars = new HashMap<>(buildArgs);
        for (String instruction : instructions) {
            List<String> words = new ArrayList<>(words(instruction));
            if (words.isEmpty()) continue;
            // An image with triggers is never a base of a session's build, so a session has no use for them (and they are
            // parsed anew, by other rules, where they run).
            if (words.getFirst().equalsIgnoreCase("ONBUILD")) throw Refusal.forbidden("ONBUILD is not allowed in a session's builds");
            String keyword = words.removeFirst().toUpperCase(Locale.ROOT);
            List<String> flags = words.stream().filter(w -> w.startsWith("--")).toList();
            List<String> args = words.stream().filter(w -> !w.startsWith("--")).toList();
            switch (keyword) {
                case "ARG" -> {
                    for (String a : args) {
                        int eq = a.indexOf('=');
                        if (eq <= 0) continue;
                        String name = a.substring(0, eq);
                        String value = a.substring(eq + 1).replaceAll("^\"|\"$", "");
                        // A build argument wins over every default; of two different defaults, which one
                        // buildah uses depends on scope and order: an image named by that ARG is refused.
                        if (buildArgs.containsKey(name)) continue;
                        String prior = vars.get(name);
                        vars.put(name, prior == null || prior.equals(value) ? value : AMBIGUOUS);
                    }
                }
                case "FROM" -> {
                    if (!args.isEmpty()) image(args.getFirst(), vars, stages, box, images);
                    if (args.size() >= 3 && args.get(1).equalsIgnoreCase("AS")) stages.add(args.get(2).toLowerCase(Locale.ROOT));
                }
                case "ADD" -> {
                    List<String> sources = jsonOrWords(instruction, args);
                    for (String src : sources.subList(0, Math.max(0, sources.size() - 1))) {
                        if (src.contains("$")) throw Refusal.forbidden("ADD with a variable source is not allowed in a session's builds; spell it out or use COPY");
                        if (src.contains("://") || src.startsWith("git@")) url(src, box);
                    }
                    fromFlags(flags, vars, stages, box, images);
                }
                case "COPY" -> fromFlags(flags, vars, stages, box, images);
                case "RUN" -> runFlags(words);
                default -> {
                }
            }
        }
    }

    /**
     * A RUN step's flags (the words before its command). buildah fills in ARG and ENV values in
     * them before it reads them: a flag with a variable is not the flag Burrow read (",type=bind,
     * source=link" after a tmpfs mount was a bind). Flags in the command itself are checked too.
     */
    private static void runFlags(List<String> words) throws Refusal {
        for (String w : words) {
            if (!w.startsWith("--")) break;
            if (w.matches(".*[$\\\\`\"'].*")) {
                throw Refusal.forbidden("RUN " + w + ": a RUN flag with a variable, quote or escape is not allowed in a session's builds; spell it out");
            }
        }
        for (String f : words) {
            if (!f.startsWith("--")) continue;
            String lower = f.toLowerCase(Locale.ROOT);
            switch (flagName(f)) {
                case "--network" -> {
                    if (!Set.of("--network=none", "--network=default").contains(lower)) throw Refusal.forbidden("RUN " + f + " is not allowed in a session's builds");
                }
                case "--security" -> throw Refusal.forbidden("RUN " + f + " is not allowed in a session's builds");
                case "--mount" -> {
                    if (!lower.startsWith("--mount=")) throw Refusal.forbidden("RUN " + f + " is not allowed in a session's builds: spell a mount --mount=type=tmpfs,...");
                    mount(f.substring(8));
                }
                default -> {
                }
            }
        }
    }

    /** A flag's name, lower case, without its value ("--mount" for "--Mount=type=tmpfs"). */
    private static String flagName(String word) {
        int eq = word.indexOf('=');
        return (eq < 0 ? word : word.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
    }

    /**
     * The Containerfile with each image it names literally in FROM or COPY/ADD --from that is
     * one of the session's own ({@link ImageNames}) named by its host name, as buildah looks
     * names up on the host; null when it names none. One instruction a line, as written (a name
     * split over lines or given by a variable is left as it is: buildah then finds no such image here).
     */
    static String ownImages(String text, Images images) throws Refusal, IOException {
        StringBuilder out = new StringBuilder();
        boolean changed = false;
        for (String physical : text.split("\n", -1)) {
            String cr = physical.endsWith("\r") ? "\r" : "";
            String line = physical.substring(0, physical.length() - cr.length());
            String trimmed = line.stripLeading();
            String[] words = trimmed.split("[ \t]+");
            String keyword = words[0].toUpperCase(Locale.ROOT);
            String rewritten = line;
            if (keyword.equals("FROM") || keyword.equals("COPY") || keyword.equals("ADD")) {
                StringBuilder l = new StringBuilder(line.substring(0, line.length() - trimmed.length())).append(words[0]);
                boolean imageNext = keyword.equals("FROM");
                for (int i = 1; i < words.length; i++) {
                    String w = words[i];
                    if (w.toLowerCase(Locale.ROOT).startsWith("--from=") && !keyword.equals("FROM")) {
                        w = w.substring(0, 7) + hostName(w.substring(7), images);
                    } else if (imageNext && !w.startsWith("--")) {
                        w = hostName(w, images);
                        imageNext = false;
                    }
                    l.append(' ').append(w);
                }
                if (!l.toString().equals(line)) rewritten = l.toString();
            }
            changed |= !rewritten.equals(line);
            out.append(rewritten).append(cr).append('\n');
        }
        if (!changed) return null;
        out.setLength(out.length() - 1);
        return out.toString();
    }

    private static String hostName(String ref, Images images) throws Refusal, IOException {
        if (ref.contains("$") || !Images.isReference(ref)) return ref;
        String own = images.resolve(ref);
        return images.names().isOwn(own) ? own : ref;
    }

    /**
     * A RUN step's mount: a tmpfs only. Bind mounts follow links out to the host's files in
     * the buildah of Debian 12's Podman (CVE-2024-1753), and cache mounts live in a host dir
     * that an id with .. climbs out of and that every session shares.
     */
    private static void mount(String spec) throws Refusal {
        if (spec.matches(".*[$\\\\`\"'].*")) {
            throw Refusal.forbidden("RUN --mount=" + spec + " is not allowed in a session's builds: no variables, quotes or escapes in a mount");
        }
        int types = 0;
        String type = "bind";
        List<String> keys = new ArrayList<>();
        for (String opt : spec.split(",", -1)) {
            int eq = opt.indexOf('=');
            String key = (eq < 0 ? opt : opt.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
            if (key.equals("type")) {
                types++;
                type = eq < 0 ? "" : opt.substring(eq + 1).strip().toLowerCase(Locale.ROOT);
            } else {
                keys.add(key);
            }
        }
        if (types > 1 || !type.equals("tmpfs")) {
            throw Refusal.forbidden("RUN --mount=" + spec + " is not allowed in a session's builds: only tmpfs mounts, one type each"
                    + " (bind and cache mounts reach the host's files through this Podman's buildah, CVE-2024-1753); COPY what the step needs");
        }
        for (String key : keys) {
            if (!TMPFS_OPTIONS.contains(key)) {
                throw Refusal.forbidden("RUN --mount option " + key + " is not allowed in a session's builds (a tmpfs takes target, size and mode)");
            }
        }
    }

    /** What a tmpfs mount of a RUN step may say besides its type. */
    private static final Set<String> TMPFS_OPTIONS = Set.of("target", "dst", "destination", "size", "mode", "tmpfs-size", "tmpfs-mode", "ro", "rw",
            "readonly", "tmpcopyup", "notmpcopyup");

    private static void fromFlags(List<String> flags, Map<String, String> vars, Set<String> stages, SessionBox box, Images images)
            throws Refusal, IOException {
        for (String f : flags) {
            if (f.toLowerCase(Locale.ROOT).startsWith("--from=")) image(f.substring(7), vars, stages, box, images);
        }
    }

    /**
     * An image a build would use: a stage, or one the pull rules allow. A variable is resolved
     * from the build's arguments and ARG defaults; under none and allowlist the build pulls
     * nothing (pull policy never), so only the full policy needs it resolved.
     */
    private static void image(String ref, Map<String, String> vars, Set<String> stages, SessionBox box, Images images) throws Refusal, IOException {
        String resolved = substitute(ref, vars);
        if (resolved.contains(AMBIGUOUS)) {
            throw Refusal.forbidden("the image " + ref + " names an ARG with more than one default in this Containerfile; spell the image out or pass it as a build argument");
        }
        if (resolved.contains("$")) {
            throw Refusal.forbidden("the image " + ref + " names a variable Burrow cannot resolve; spell the image out or pass it as a build argument");
        }
        if (resolved.equalsIgnoreCase("scratch") || stages.contains(resolved.toLowerCase(Locale.ROOT)) || resolved.matches("\\d+")) return;
        // The session's own image of that name is here under its host name (ownImages puts that in the Containerfile).
        String host = images.resolve(resolved);
        if (!images.names().isOwn(host)) images.pullable(resolved, "missing");
        // A base image's ONBUILD triggers are instructions of this build that this Containerfile does not show (ImageTriggers).
        if (!images.triggers(host).isEmpty()) {
            throw Refusal.forbidden("the image " + resolved + " has ONBUILD triggers, which a build runs unread; a session's builds take"
                    + " base images without them");
        }
    }

    /** The value of an ARG given two different defaults. */
    private static final String AMBIGUOUS = "\u0000two-defaults\u0000";

    static String substitute(String s, Map<String, String> vars) {
        Matcher m = VARIABLE.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(4);
            String value = vars.get(name);
            if (value == null || value.isEmpty()) value = m.group(3);
            m.appendReplacement(out, Matcher.quoteReplacement(value == null ? m.group() : value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static void url(String src, SessionBox box) throws Refusal {
        if (box.policy() != NetworkPolicy.FULL) {
            throw Refusal.forbidden("ADD " + src + " would be fetched on the host, outside this session's " + box.policy().label()
                    + " network policy; fetch it before the build");
        }
        String host;
        try {
            host = URI.create(src.startsWith("git@") ? "ssh://" + src.substring(4).replaceFirst(":", "/") : src).getHost();
        } catch (IllegalArgumentException e) {
            throw Refusal.forbidden("ADD " + src + " is not a URL Burrow can check");
        }
        if (host == null) throw Refusal.forbidden("ADD " + src + " is not a URL Burrow can check");
        String why = Images.privateHost(host, box.privateGuard());
        if (why != null) throw Refusal.forbidden("ADD " + src + " is refused: " + why);
    }

    private static List<String> jsonOrWords(String instruction, List<String> words) {
        String rest = instruction.strip().replaceFirst("(?i)^(ONBUILD\\s+)?ADD\\s+", "");
        while (rest.startsWith("--")) rest = rest.replaceFirst("^--\\S+\\s*", "");
        if (rest.startsWith("[")) {
            try {
                List<String> out = new ArrayList<>();
                for (var n : Fields.JSON.readTree(rest)) out.add(n.asString(""));
                return out;
            } catch (RuntimeException e) {
                return words;
            }
        }
        return words;
    }

    /** The instructions of a Containerfile read with {@code escape}: comments dropped, continued lines joined. */
    static List<String> instructions(String text, char escape) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : text.split("\r?\n", -1)) {
            String t = stripSpace(line);
            if (t.startsWith("#")) continue;
            // buildah's parser skips empty lines inside a continuation (it trims Go's white space): the instruction goes on.
            if (t.isEmpty() && !cur.isEmpty()) continue;
            if (!t.isEmpty() && t.charAt(t.length() - 1) == escape) {
                cur.append(t, 0, t.length() - 1).append(' ');
                continue;
            }
            cur.append(t);
            if (!cur.toString().isBlank()) out.add(cur.toString());
            cur.setLength(0);
        }
        if (!cur.toString().isBlank()) out.add(cur.toString());
        return out;
    }
}
