package dev.burrow.container;

import java.util.Locale;

/**
 * What a session's container may reach. {@code FULL}: anything, as on the host. {@code NONE}:
 * only the model API. {@code ALLOWLIST}: the model API and the allowed hosts. The last two run
 * the container without a network of its own; its one way out is Burrow's egress proxy.
 */
public enum NetworkPolicy {
    FULL, NONE, ALLOWLIST;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean proxied() {
        return this != FULL;
    }

    public static NetworkPolicy parse(String value) {
        if (value == null || value.isBlank()) return FULL;
        for (NetworkPolicy p : values()) if (p.label().equals(value.strip().toLowerCase(Locale.ROOT))) return p;
        throw new IllegalArgumentException("the network policy must be full, none or allowlist, not " + value.strip());
    }
}
