package dev.burrow.session;

import dev.burrow.config.Config;
import dev.burrow.container.ContainerEngine;
import dev.burrow.container.ContainerException;
import dev.burrow.container.ContainerSpec;
import dev.burrow.container.ContainerState;
import dev.burrow.container.PodmanCli;
import dev.burrow.http.Refusal;
import dev.burrow.siblings.SessionBox;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A session's build network ({@link SessionBox.BuildNetwork}): a container of Burrow's that
 * holds a network namespace of Podman's own user namespace for the session's build RUN steps,
 * which run as root of that user namespace and so must share no namespace with the session
 * (in the session's network, the agent could hand them its namespaces over an abstract unix
 * socket). Under full: slirp4netns and the session's guard, a sleep as nobody. Under none and
 * allowlist: loopback alone, and runner/burrow-egress carrying 127.0.0.1:3128 to the session's
 * egress proxy (its socket dir mounted read-only), run as Podman's root so that it may connect.
 * Made at the session's first build; removed with its siblings when the session's container goes
 * (it carries the helper label, which the session's Podman socket never shows).
 *
 * <p>Lock rule: one container at a time per session; {@link #container} holds this object's lock
 * while it looks and makes.
 */
final class BuildNetwork implements SessionBox.BuildNetwork {
    private final Session session;
    private final Config config;
    private final ContainerEngine engine;
    private final Supplier<String> image;
    private final Supplier<String> guard;
    private final java.nio.file.Path netDir;
    private String id;

    /** {@code image}: the runner image's id; {@code guard}: the session's nft ruleset (full); {@code netDir}: its egress proxy's socket dir. */
    BuildNetwork(Session session, Config config, ContainerEngine engine, Supplier<String> image, Supplier<String> guard, java.nio.file.Path netDir) {
        this.netDir = Objects.requireNonNull(netDir);
        this.session = Objects.requireNonNull(session);
        this.config = Objects.requireNonNull(config);
        this.engine = Objects.requireNonNull(engine);
        this.image = Objects.requireNonNull(image);
        this.guard = Objects.requireNonNull(guard);
    }

    @Override
    public synchronized String container() throws Refusal {
        try {
            if (id != null && engine.inspect(id).map(ContainerState::running).orElse(false)) return id;
            if (id != null) {
                engine.removeSibling(id, session.id());
            } else {
                // One an earlier Burrow process made for this session (it ran on while Burrow restarted): this one replaces it.
                for (String c : engine.siblings(session.id())) {
                    if (engine.inspect(c).map(st -> session.id().equals(st.labels().get(ContainerEngine.HELPER_LABEL))).orElse(false)) {
                        engine.removeSibling(c, session.id());
                    }
                }
            }
            id = null;
            String made = engine.run(spec(session, config, image.get(), netDir));
            try {
                if (session.network() == dev.burrow.container.NetworkPolicy.FULL) engine.guardEgress(made, guard.get());
            } catch (RuntimeException e) {
                engine.removeSibling(made, session.id());
                throw e;
            }
            id = made;
            return made;
        } catch (ContainerException | SessionException e) {
            throw new Refusal(503, "could not give the build its network: " + e.getMessage());
        }
    }

    /**
     * No user namespace of its own (so its network namespace is Podman's user namespace's) and the
     * session's limits; under full the network Podman gives a rootless container (slirp4netns) and
     * nobody's sleep, else none and the egress forwarder.
     */
    static ContainerSpec spec(Session s, Config config, String image, java.nio.file.Path netDir) {
        String name = "burrow-buildnet-" + s.shortId() + "-" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
        Map<String, String> labels = Map.of(PodmanCli.SESSION_LABEL, s.id(), ContainerEngine.HELPER_LABEL, s.id());
        if (s.network() == dev.burrow.container.NetworkPolicy.FULL) {
            return new ContainerSpec(name, image, labels, null, null, List.of(), Map.of(), "/", List.of(), config.limits(), List.of("sleep", "infinity"),
                    "65534:65534");
        }
        return new ContainerSpec(name, image, labels, null, "none", List.of(new dev.burrow.container.Mount(netDir, dev.burrow.container.RunDir.NET_MOUNT, true)),
                Map.of("BURROW_EGRESS", "1"), "/", List.of(), config.limits(), List.of("/usr/local/bin/burrow-egress"), "0:0");
    }
}
