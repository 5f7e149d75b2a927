package dev.burrow.siblings;

import dev.burrow.http.Refusal;

import dev.burrow.container.NetworkPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.List;
import java.util.Set;

/**
 * What a session may do with the host's images, which all sessions and the user share: use
 * any, make its own (labelled), never take over a name that is not its own nor one of
 * Burrow's ({@code localhost/burrow-*}), and pull only where its network policy reaches.
 */
final class Images {
    // The reference grammar of container images, without transports (docker://, dir:, oci-archive:, ...,
    // which would have the host's Podman read host paths or name registries the checks below cannot see).
    private static final String DOMAIN_PART = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final String PATH_PART = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final java.util.regex.Pattern REFERENCE = java.util.regex.Pattern.compile(
            "(?:" + DOMAIN_PART + "(?:\\." + DOMAIN_PART + ")*(?::[0-9]+)?/)?" + PATH_PART + "(?:/" + PATH_PART + ")*"
                    + "(?::[\\w][\\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?");

    private final SessionBox box;
    private final Owner owner;

    /** Whether {@code name} is a plain image reference or id (no transport, nothing Podman would read from a path). */
    static boolean isReference(String name) {
        return REFERENCE.matcher(name).matches();
    }

    /** Refuses a container's image named any other way than a plain reference or id. */
    static void plainImage(String name) throws Refusal {
        if (!name.isEmpty() && !isReference(name)) {
            throw Refusal.forbidden(name + " is not an image reference Burrow accepts (a name such as registry.example/team/app:1, no transports)");
        }
    }

    private final ImageNames names;
    private final ImageTriggers triggers;

    Images(SessionBox box, Owner owner, ImageTriggers triggers) {
        this.box = box;
        this.owner = owner;
        this.names = new ImageNames(box.sessionId());
        this.triggers = triggers;
    }

    /** The ONBUILD triggers of a base image a build names (the host's name for it); refused when it is not here. */
    List<String> triggers(String hostName) throws Refusal, IOException {
        return triggers.of(hostName);
    }

    ImageNames names() {
        return names;
    }

    /**
     * The host's name for an image the session names: its own image of that name when it has one
     * ({@link ImageNames}), else the name as it is (a shared image, or none).
     */
    String resolve(String name) throws Refusal, IOException {
        for (String own : names.candidates(name)) {
            if (owner.image(own) != Owner.ImageOwner.ABSENT) return own;
        }
        return name;
    }

    /** The host's name for a name the session gives an image it builds or tags: one of its own name space. */
    String ownName(String name) throws Refusal, IOException {
        nameable(name);
        return names.own(name);
    }

    /** Burrow's own images, which the runner runs: no session makes, tags or removes them. */
    static boolean reserved(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.startsWith("localhost/")) n = n.substring("localhost/".length());
        return n.startsWith("burrow-") || n.startsWith("burrow:") || n.equals("burrow");
    }

    /** Refuses reading an image another session made. */
    void readable(String name) throws Refusal, IOException {
        if (names.isForeign(name)) throw Refusal.notFound("no such image in this session: " + name);
        Owner.ImageOwner who = owner.image(name);
        if (who == Owner.ImageOwner.OTHER_SESSION) throw Refusal.notFound("no such image in this session: " + name);
    }

    /** A name the session may give an image it builds or tags: not Burrow's (any other is kept in its own name space). */
    void nameable(String name) throws Refusal, IOException {
        if (name.isEmpty()) return;
        if (reserved(name)) throw Refusal.forbidden(name + " is one of Burrow's own image names; choose another");
    }

    /** Refuses removing an image this session did not build (a name of its own name space goes: an untag). */
    void removable(String name) throws Refusal, IOException {
        if (names.isOwn(name)) return;
        if (names.isForeign(name)) throw Refusal.notFound("no such image in this session: " + name);
        Owner.ImageOwner who = owner.image(name);
        if (who == Owner.ImageOwner.ABSENT || who == Owner.ImageOwner.OTHER_SESSION) throw Refusal.notFound("no such image in this session: " + name);
        if (who == Owner.ImageOwner.SHARED) throw Refusal.forbidden(name + " was not made by this session; only images it built can be removed");
    }

    /**
     * Refuses a pull the session's network could not make itself: the host's Podman pulls on
     * the host's network. Asking for an image that is already here (policy missing or never; no policy is "always")
     * fetches nothing and always passes, as {@code podman run} asks before every run.
     * Answers whether the pull may fetch.
     */
    boolean pullable(String reference, String policy) throws Refusal, IOException {
        if (!REFERENCE.matcher(reference).matches()) {
            throw Refusal.forbidden(reference + " is not an image reference Burrow accepts (a name such as registry.example/team/app:1, no transports such as docker://)");
        }
        boolean noFetch = Set.of("missing", "never").contains(policy);
        if (noFetch && owner.image(reference) != Owner.ImageOwner.ABSENT) {
            readable(reference);
            return false;
        }
        if (reserved(reference)) throw Refusal.forbidden(reference + " is one of Burrow's own images; it is not pulled");
        String registry = registry(reference);
        if (box.policy() == NetworkPolicy.NONE) {
            throw Refusal.forbidden("this session's network policy is none: " + reference + " is not on this machine and cannot be pulled");
        }
        if (box.policy() == NetworkPolicy.ALLOWLIST && !box.registryAllowed().test(registry)) {
            throw Refusal.forbidden(registry + " is not on this session's allowlist: " + reference + " cannot be pulled");
        }
        String why = privateRegistry(registry);
        if (why != null) throw Refusal.forbidden("images are not pulled from " + registry + ": " + why);
        return true;
    }

    /** A short name as the docker.io name Burrow checks it as ("alpine" is docker.io/library/alpine); others as they are. */
    static String qualified(String reference) {
        int slash = reference.indexOf('/');
        String first = slash < 0 ? "" : reference.substring(0, slash);
        if (slash >= 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"))) return reference;
        return "docker.io/" + (slash < 0 ? "library/" : "") + reference;
    }

    /** The registry a reference names ("docker.io" for short names). */
    static String registry(String reference) {
        int slash = reference.indexOf('/');
        if (slash < 0) return "docker.io";
        String first = reference.substring(0, slash);
        if (!(first.contains(".") || first.contains(":") || first.equals("localhost"))) return "docker.io";
        if (first.startsWith("[")) return first.substring(1, Math.max(1, first.indexOf(']')));
        int colon = first.lastIndexOf(':');
        return (colon < 0 ? first : first.substring(0, colon)).toLowerCase(Locale.ROOT);
    }

    /**
     * A host written as a number in any form but plain dotted decimal (octal 0177.0.0.1, hex,
     * 127.1, a bare integer): resolvers read those differently (glibc's 0177 is 127, Java's 177).
     */
    static boolean ambiguousNumber(String host) {
        if (!host.matches("[0-9a-fA-FxX.]+") || !host.matches(".*[0-9].*")) return false;
        return !host.matches("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}")
                && host.matches("[0-9xX.]+|0[xX].*|.*\\..*");
    }

    String privateRegistry(String host) {
        return privateHost(host, box.privateGuard());
    }

    /**
     * Why the host's Podman must not fetch from {@code host} (this machine, a private range,
     * an address resolvers read two ways), or null. Checked on every address it resolves to.
     */
    static String privateHost(String host, dev.burrow.container.PrivateAddresses guard) {
        if (ambiguousNumber(host)) return "an address written as " + host + " is read differently by different resolvers";
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                String why = guard.refusal(a);
                if (why != null) return why;
            }
            return null;
        } catch (UnknownHostException e) {
            return null; // Podman will not reach it either
        }
    }
}
