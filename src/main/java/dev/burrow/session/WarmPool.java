package dev.burrow.session;

import dev.burrow.config.Config;
import dev.burrow.container.ContainerEngine;
import dev.burrow.container.NetworkPolicy;
import dev.burrow.workspace.Source;
import dev.burrow.workspace.Workspaces;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warm containers: session containers started before there is a session, so that a new
 * session claims one and only its repository and its prompt remain (BURROW_WARM of them for each
 * repository, branch, environment and network policy a chat session used in the last day).
 *
 * <p>A warm container is made as a session's would be, from the environment the repository's
 * branch has now, under a session id of its own that the claiming session takes; its script waits
 * on the run dir's claim FIFO ({@code runner/burrow-agent-run}), costing nothing. Nothing of a
 * session is in it before the claim: no workspace (its folder is empty), no prompt, no
 * placeholder (the Claude dir has no approved key, the secrets dir is empty) — those come with
 * the claim ({@link AgentLaunch#prepareSessionFiles}). It serves that one session and never goes
 * back: the pool makes a new one for the next. A claimed container whose environment is no longer
 * the session's is removed and the session starts cold.
 *
 * <p>Each warm container is held ({@link StartGuard}) for as long as it waits, so that no
 * reconcile, in this process or another, takes it for a stray; its session dir has a marker
 * file, so that one left by a process that died is removed by the next.
 *
 * <p>Lock rule: {@code this} guards {@link #slots}, {@link #uses}, {@link #failed} and
 * {@link #closed}; starts and removals of containers run outside it, on the filler thread.
 */
final class WarmPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WarmPool.class);
    /** A key used longer ago than this gets no warm container (and loses the one it has). */
    static final Duration USED_WITHIN = Duration.ofDays(1);
    /** The filler waits until no session has started for this long: a new session's own start comes first. */
    static final Duration QUIET = Duration.ofSeconds(3);
    /** A key whose warm start failed is not tried again for this long. */
    private static final Duration BACK_OFF = Duration.ofMinutes(10);
    /** In a warm container's session dir (Burrow's, not the container's): it is no session yet. */
    static final String MARKER = "warm";

    /** What a warm container fits: a chat session of this repository and branch (null: its default), environment (null: the default), policy and GPU. */
    record Key(String repo, String branch, String environment, NetworkPolicy network, boolean gpu) {
    }

    /**
     * A warm container.
     *
     * @param session     the session it becomes, not yet stored
     * @param environment the environment it was made from (none: Burrow's runner image)
     * @param container   its container's id
     * @param held        keeps reconciles off it until it is claimed or removed
     */
    record Slot(Key key, Session session, Optional<SessionImage> environment, String container, StartGuard.Held held) {
    }

    /** How a warm container is made and removed: by {@link ContainerStarter} in Burrow, by a fake in unit tests. */
    interface Maker {
        /** Starts one for {@code key}, from {@code source}; the answer's hold is {@code held}. */
        Slot make(Key key, Source source, Session session, StartGuard.Held held);

        /** Removes its container and its dirs. */
        void remove(Slot slot);
    }

    private record Use(Source source, Instant last) {
    }

    private final int perKey;
    private final Maker maker;
    private final StartGuard starts;
    private final Config config;
    private final Clock clock;
    private final Duration quiet;
    private final Map<Key, Deque<Slot>> slots = new HashMap<>();
    private final Map<Key, Use> uses = new LinkedHashMap<>();
    private final Map<Key, Instant> failed = new HashMap<>();
    /** System.nanoTime() of the last session start: the quiet period is measured in real time, the day by the clock. */
    private long lastStart = System.nanoTime() - Duration.ofHours(1).toNanos();
    private boolean closed;
    private Thread filler;

    WarmPool(Config config, StartGuard starts, Maker maker, Clock clock) {
        this(config, starts, maker, clock, QUIET);
    }

    /** {@code quiet}: how long after a session's start the filler waits ({@link #QUIET}; less in unit tests). */
    WarmPool(Config config, StartGuard starts, Maker maker, Clock clock, Duration quiet) {
        this.quiet = Objects.requireNonNull(quiet);
        this.config = Objects.requireNonNull(config);
        this.perKey = config.warm();
        this.starts = Objects.requireNonNull(starts);
        this.maker = Objects.requireNonNull(maker);
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * Starts keeping warm containers (once), for the chat sessions among {@code earlier} made in
     * the last day (under their environment's default: the one asked for is not stored) and those
     * to come; with BURROW_WARM=0 it does nothing.
     */
    synchronized void start(List<Session> earlier) {
        if (perKey == 0 || filler != null || closed) return;
        Instant since = clock.instant().minus(USED_WITHIN);
        for (Session s : earlier) {
            if (s.mode() != SessionMode.CHAT || s.state() == SessionState.DELETED || s.createdAt().isBefore(since)) continue;
            try {
                Source source = Source.parse(s.repo());
                Key key = new Key(source.display(), s.baseBranch(), null, s.network(), s.gpu());
                Use u = uses.get(key);
                if (u == null || u.last().isBefore(s.createdAt())) uses.put(key, new Use(source, s.createdAt()));
            } catch (RuntimeException e) {
                // a repository no longer given the way it was: no warm container for it
            }
        }
        filler = Thread.ofVirtual().name("warm-pool").start(this::fill);
    }

    /** The key of a new session's request, or empty when warm containers do not serve it (terminal mode, the pool off). */
    Optional<Key> keyOf(SessionMode mode, Source source, String branch, String environment, NetworkPolicy network, boolean gpu) {
        if (perKey == 0 || mode != SessionMode.CHAT) return Optional.empty();
        return Optional.of(new Key(source.display(), branch, environment, network, gpu));
    }

    /** Takes a warm container for {@code key}, if one waits; either way, the key was used now and the pool fills up again. */
    synchronized Optional<Slot> claim(Key key, Source source) {
        Instant now = clock.instant();
        uses.put(key, new Use(source, now));
        lastStart = System.nanoTime();
        notifyAll();
        Deque<Slot> q = slots.get(key);
        Slot s = q == null ? null : q.pollFirst();
        return Optional.ofNullable(s);
    }

    /** A session started cold (a resume, a terminal session, a claim that did not fit): the filler waits a little longer. */
    synchronized void started() {
        lastStart = System.nanoTime();
    }

    /** How many warm containers wait, for {@code key}. */
    synchronized int waiting(Key key) {
        Deque<Slot> q = slots.get(key);
        return q == null ? 0 : q.size();
    }

    /** Every warm container waiting now (for tests and the bench). */
    synchronized List<Slot> all() {
        List<Slot> out = new ArrayList<>();
        slots.values().forEach(out::addAll);
        return out;
    }

    /** Removes a warm container that a claim could not use. */
    void discard(Slot slot) {
        try {
            maker.remove(slot);
        } catch (RuntimeException e) {
            LOG.warn("could not remove warm container {}: {}", slot.container(), e.getMessage());
        } finally {
            slot.held().close();
        }
    }

    @Override
    public void close() {
        List<Slot> left;
        Thread t;
        synchronized (this) {
            closed = true;
            notifyAll();
            left = new ArrayList<>();
            slots.values().forEach(left::addAll);
            slots.clear();
            t = filler;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Slot s : left) discard(s);
    }

    /** The filler: one warm container at a time, for the keys used lately that have too few, when starts are quiet. */
    private void fill() {
        removeLeftovers();
        while (true) {
            Key key;
            Source source;
            List<Slot> stale = new ArrayList<>();
            synchronized (this) {
                if (closed) return;
                Instant now = clock.instant();
                expire(now, stale);
                Duration sinceStart = Duration.ofNanos(System.nanoTime() - lastStart);
                Map.Entry<Key, Use> next = stale.isEmpty() ? wanted(now) : null;
                if (stale.isEmpty() && (next == null || sinceStart.compareTo(quiet) < 0)) {
                    try {
                        // Woken by a claim; else looked at again once starts are quiet, or every few minutes for expiry.
                        wait(next == null ? Duration.ofMinutes(5).toMillis() : Math.max(1, quiet.minus(sinceStart).toMillis()));
                    } catch (InterruptedException e) {
                        return;
                    }
                    continue;
                }
                key = next == null ? null : next.getKey();
                source = next == null ? null : next.getValue().source();
            }
            try {
                for (Slot s : stale) discard(s);
                if (key != null) makeOne(key, source);
            } catch (RuntimeException e) {
                // The filler lives on whatever one round met.
                LOG.warn("warm containers: {}", e.toString());
            }
        }
    }

    /** Slots of keys not used within {@link #USED_WITHIN} leave the pool into {@code stale}. */
    private void expire(Instant now, List<Slot> stale) {
        for (var e : slots.entrySet()) {
            Use u = uses.get(e.getKey());
            if (u == null || u.last().isBefore(now.minus(USED_WITHIN))) {
                stale.addAll(e.getValue());
                e.getValue().clear();
            }
        }
        uses.values().removeIf(u -> u.last().isBefore(now.minus(USED_WITHIN)));
    }

    /** The most recently used key with fewer warm containers than it should have, not backing off. */
    private Map.Entry<Key, Use> wanted(Instant now) {
        Map.Entry<Key, Use> best = null;
        for (var e : uses.entrySet()) {
            if (waiting(e.getKey()) >= perKey) continue;
            Instant f = failed.get(e.getKey());
            if (f != null && f.isAfter(now.minus(BACK_OFF))) continue;
            if (best == null || e.getValue().last().isAfter(best.getValue().last())) best = e;
        }
        return best;
    }

    private void makeOne(Key key, Source source) {
        String id = UUID.randomUUID().toString();
        Session session = SessionCreator.fresh(config, id, UUID.randomUUID().toString(), SessionMode.CHAT, key.gpu(), key.network(), source, key.branch());
        StartGuard.Held held = starts.hold(session);
        Slot slot;
        try {
            Files.createDirectories(session.dir());
            Files.writeString(session.dir().resolve(MARKER), key.repo() + "\n");
            slot = maker.make(key, source, session, held);
        } catch (Exception e) {
            LOG.info("no warm container for {}: {}", key.repo(), e.getMessage());
            synchronized (this) {
                failed.put(key, clock.instant());
            }
            held.close();
            Workspaces.deleteQuietly(session.dir());
            return;
        }
        synchronized (this) {
            failed.remove(key);
            if (!closed) {
                slots.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(slot);
                LOG.debug("warm container {} ready for {}", slot.container(), key.repo());
                return;
            }
        }
        discard(slot); // closed while it started
    }

    /** Warm containers' session dirs that a process which died left (their containers went with the reconcile). */
    private void removeLeftovers() {
        Path dir = config.sessionsDir();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try (var list = Files.list(dir)) {
            for (Path d : list.toList()) {
                if (!d.getFileName().toString().matches("[0-9a-f-]{36}") || !Files.isRegularFile(d.resolve(MARKER), LinkOption.NOFOLLOW_LINKS)) continue;
                Session s = Session.builder(d.getFileName().toString(), d).build();
                Optional<StartGuard.Held> h = starts.tryHold(s);
                if (h.isEmpty()) continue; // another process's, waiting
                try (StartGuard.Held ignored = h.get()) {
                    Workspaces.deleteQuietly(d);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warn("could not look for warm containers' leftovers: {}", e.getMessage());
        }
    }
}
