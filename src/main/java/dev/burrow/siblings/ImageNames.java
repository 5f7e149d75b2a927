package dev.burrow.siblings;

import dev.burrow.http.Refusal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A session's own image names. Every name a session gives an image (a build's tag, podman tag)
 * is kept on the host in a name space of the session's own, {@code localhost/burrow-s-ID/}
 * followed by the full name it asked for, so that nothing a session makes answers to a name the
 * user's own tools resolve ({@code podman run alpine:3.19} never finds a session's build). The
 * session reads its names back as it gave them; other sessions cannot read them at all.
 *
 * <p>Encoding: the asked name made whole as Podman makes it (a short name is {@code localhost/NAME},
 * the tag {@code latest} unless given), its registry written as one path component (a port's
 * colon as {@code __}, which a host name cannot hold), then its path, then {@link #LAST}, then
 * its tag: {@code localhost/burrow-s-ID/docker.io/library/alpine/burrow-session:3.19}.
 */
final class ImageNames {
    /** Where every session's name space starts. */
    static final String PREFIX = dev.burrow.container.ContainerEngine.IMAGE_SPACES;
    private static final int MAX_NAME = 255;
    /**
     * The last path component of every name of a session's own: Podman finds a short name
     * (alpine:3.19) in any local name that ends with it ({@code /alpine:3.19}), so an own name
     * must end in a component no one runs by that name.
     */
    static final String LAST = "burrow-session";

    private final String space;

    ImageNames(String sessionId) {
        this.space = dev.burrow.container.ContainerEngine.imageSpace(sessionId);
    }

    /** The host name for a name this session gives an image (a plain reference with no digest). */
    String own(String asked) throws Refusal {
        if (!Images.isReference(asked) || asked.contains("@")) {
            throw Refusal.badRequest(asked + " is not an image name Burrow accepts for a session's image (a name such as app:1, no digest)");
        }
        String whole = whole(asked, "localhost");
        int slash = whole.indexOf('/');
        int tag = whole.lastIndexOf(':');
        String name = space + whole.substring(0, slash).toLowerCase(Locale.ROOT).replace(":", "__") + whole.substring(slash, tag) + "/" + LAST
                + whole.substring(tag);
        if (name.length() > MAX_NAME) throw Refusal.badRequest("the image name " + asked + " is too long for a session's image");
        return name;
    }

    /**
     * The host names a reference the session reads may stand for among its own, in the order
     * Podman would try them: a short name as this machine's ({@code localhost/}) or Docker Hub's.
     * Empty for an id, a digest, or a name already on the host's side.
     */
    List<String> candidates(String asked) throws Refusal {
        List<String> out = new ArrayList<>();
        if (asked.isEmpty() || asked.contains("@") || asked.matches("(sha256:)?[0-9a-f]{12,64}") || asked.startsWith(PREFIX)
                || !Images.isReference(asked)) {
            return out;
        }
        out.add(own(asked));
        String hub = whole(asked, "docker.io");
        if (!hub.equals(whole(asked, "localhost"))) out.add(own(hub));
        return out;
    }

    /** Whether a host name is this session's own. */
    boolean isOwn(String hostName) {
        return hostName.startsWith(space);
    }

    /** Whether a host name is in another session's name space. */
    boolean isForeign(String hostName) {
        return hostName.toLowerCase(Locale.ROOT).startsWith(PREFIX) && !isOwn(hostName);
    }

    /**
     * The name the session sees for a host name (with a tag or a digest): its own as it asked for
     * it, the shared as they are, another session's as null.
     */
    String shown(String hostName) {
        if (isForeign(hostName)) return null;
        if (!isOwn(hostName)) return hostName;
        int lastSlash = hostName.lastIndexOf('/');
        int cut = -1;
        for (int i = lastSlash + 1; i < hostName.length() && cut < 0; i++) if (hostName.charAt(i) == ':' || hostName.charAt(i) == '@') cut = i;
        String repo = cut < 0 ? hostName : hostName.substring(0, cut);
        String rest = repo.substring(space.length());
        if (!rest.endsWith("/" + LAST)) return hostName;
        rest = rest.substring(0, rest.length() - LAST.length() - 1);
        int slash = rest.indexOf('/');
        if (slash < 0) return hostName;
        return rest.substring(0, slash).replace("__", ":") + rest.substring(slash) + (cut < 0 ? "" : hostName.substring(cut));
    }

    /** A reference made whole as Podman makes it: a registry ({@code shortDomain} for a short name), a path, a tag. */
    private static String whole(String ref, String shortDomain) {
        int slash = ref.indexOf('/');
        String first = slash < 0 ? "" : ref.substring(0, slash);
        boolean domain = slash >= 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"));
        String named = domain ? ref : shortDomain + "/" + (shortDomain.equals("docker.io") && slash < 0 ? "library/" : "") + ref;
        int lastSlash = named.lastIndexOf('/');
        return named.indexOf(':', lastSlash) < 0 ? named + ":latest" : named;
    }
}
