package dev.burrow.siblings;

import dev.burrow.container.ContainerEngine;
import dev.burrow.container.NetworkPolicy;
import dev.burrow.container.PrivateAddresses;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What a session's Podman socket knows of its session: whose objects are whose, where its
 * workspace is on the host, the network its siblings share, the devices it has.
 *
 * @param sessionId        the label value of everything the session makes
 * @param sessionContainer the full id of the session's own container while it runs (its
 *                         network namespace is the one siblings join)
 * @param workspace        the workspace's host dir, which the session sees at /workspace
 * @param policy           the session's network policy
 * @param registryAllowed  whether a registry host may be pulled from under the allowlist policy
 * @param privateGuard     the private-address guard, also for registries
 * @param proxyEnv         what a sibling's environment gets under the proxied policies
 * @param devices          the host devices the session has (its GPU): siblings may have those
 * @param pins             where workspace subdirectories and the session's network are bound for Podman
 * @param buildNetwork     under the full policy, the container whose network the session's builds run in
 */
public record SessionBox(String sessionId, Supplier<Optional<String>> sessionContainer, Path workspace, NetworkPolicy policy,
                         Predicate<String> registryAllowed, PrivateAddresses privateGuard, Map<String, String> proxyEnv, List<String> devices,
                         Pins pins, BuildNetwork buildNetwork) {
    /** The label Burrow sets on every container, volume, network and image a session makes. */
    public static final String LABEL = ContainerEngine.SIBLING_LABEL;

    public SessionBox {
        Objects.requireNonNull(sessionId);
        Objects.requireNonNull(sessionContainer);
        Objects.requireNonNull(workspace);
        Objects.requireNonNull(policy);
        Objects.requireNonNull(registryAllowed);
        Objects.requireNonNull(privateGuard);
        proxyEnv = Map.copyOf(proxyEnv);
        devices = List.copyOf(devices);
        Objects.requireNonNull(pins);
        Objects.requireNonNull(buildNetwork);
    }

    /**
     * Where a session's build RUN steps get their network under the full policy: a container of
     * Burrow's beside the session's, whose network namespace belongs to Podman's own user
     * namespace (no user namespace of its own), with the session's guard set in it. A RUN step runs
     * as root of Podman's user namespace, which owns the session container's: in the session's
     * network it would have every capability, there it has no NET_ADMIN. Hidden from the session.
     */
    public interface BuildNetwork {
        /** The full id of that container, running and guarded (made on first use). */
        String container() throws dev.burrow.http.Refusal;

        BuildNetwork NONE = () -> {
            throw new dev.burrow.http.Refusal(409, "builds have no network of their own here");
        };
    }
}
