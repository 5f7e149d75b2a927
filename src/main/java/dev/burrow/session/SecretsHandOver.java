package dev.burrow.session;

import dev.burrow.config.PrivateDir;
import dev.burrow.config.PrivateFiles;
import dev.burrow.container.HostileFiles;
import dev.burrow.container.RunDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session's credentials reach its container only once the repository's .burrow/setup.sh
 * has ended, so the setup (code from the repository) never sees them. Before the container
 * starts they wait in a pending dir that is never mounted; when the container says the setup is
 * done (the run dir's setup.done), the process following the session moves them into the
 * secrets dir (mounted read-only at /run/burrow-secrets), puts the host login's token into the
 * Claude dir (and keeps it current), and writes "ready", which runner/burrow-agent-run waits for.
 *
 * <p>What this does not do: stop a hostile setup. setup.done is the container's word, and the
 * setup runs as root in the container: it can write setup.done itself, or leave a process
 * behind, and read the credentials once they arrive. This keeps them out of an honest setup's
 * environment, logs and tools; only keeping them out of the container altogether (a
 * credential gateway) stops a hostile one.
 */
final class SecretsHandOver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SecretsHandOver.class);
    private static final long POLL_MS = 5;

    private final Session session;
    private final SessionCredentials credentials;
    private final Thread thread;
    private volatile boolean closed;
    private volatile AutoCloseable login;

    private final Runnable setUp;

    private SecretsHandOver(Session session, SessionCredentials credentials, Runnable setUp) {
        this.session = session;
        this.credentials = credentials;
        this.setUp = setUp;
        this.thread = Thread.ofVirtual().name("secrets-" + session.shortId()).start(this::await);
    }

    /** Before a container starts: the secrets dir emptied, the credentials waiting in the pending dir. */
    static void prepare(Session s, String agentEnv, String githubToken) throws IOException {
        PrivateDir.secure(s.secretsDir());
        PrivateDir.secure(s.pendingSecretsDir());
        for (String name : RunDir.SECRETS_NAMES) Files.deleteIfExists(s.secretsDir().resolve(name));
        PrivateFiles.write(s.pendingSecretsDir().resolve(RunDir.AGENT_ENV), agentEnv);
        Path token = s.pendingSecretsDir().resolve(RunDir.GITHUB_TOKEN);
        if (githubToken != null) PrivateFiles.write(token, githubToken);
        else Files.deleteIfExists(token);
    }

    /** While this process follows the session: hands the credentials over once the setup is done, and keeps the login current. */
    static SecretsHandOver start(Session s, SessionCredentials credentials) {
        return start(s, credentials, () -> { });
    }

    /** {@code setUp} runs once the setup is done, before the hand-over: the environment's set-up image is kept then, without them. */
    static SecretsHandOver start(Session s, SessionCredentials credentials, Runnable setUp) {
        return new SecretsHandOver(s, credentials, setUp);
    }

    private void await() {
        try {
            Path done = session.runDir().resolve(RunDir.SETUP_DONE);
            // The container writes setup.done: it is only looked at, never followed nor read.
            while (!closed && !Files.exists(done, LinkOption.NOFOLLOW_LINKS)) Thread.sleep(POLL_MS);
            if (closed) return;
            try {
                setUp.run();
            } catch (RuntimeException e) {
                LOG.warn("session {}: its set-up environment could not be kept: {}", session.shortId(), e.toString());
            }
            handOver();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            if (!closed) LOG.warn("session {}: its credentials could not be handed over: {}", session.shortId(), e.toString());
        }
    }

    private void handOver() throws IOException {
        for (String name : List.of(RunDir.AGENT_ENV, RunDir.GITHUB_TOKEN)) {
            Path pending = session.pendingSecretsDir().resolve(name);
            if (Files.exists(pending, LinkOption.NOFOLLOW_LINKS)) {
                Files.move(pending, session.secretsDir().resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        AutoCloseable kept;
        try {
            kept = credentials.keep(session); // writes the host login's token now, and again when it is renewed
        } catch (RuntimeException e) {
            // Claude Code then says it is not logged in, in the transcript; the container need not wait.
            LOG.warn("session {}: its Claude login cannot be handed over: {}", session.shortId(), e.getMessage());
            kept = () -> { };
        }
        synchronized (this) {
            if (closed) {
                closeQuietly(kept);
                return;
            }
            login = kept;
        }
        HostileFiles.createNew(session.secretsDir().resolve(RunDir.SECRETS_READY), "");
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // nothing left to undo
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (login != null) closeQuietly(login);
        }
        thread.interrupt();
    }
}
