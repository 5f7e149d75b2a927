package dev.burrow.container;

import java.util.Set;

/**
 * The names of the files and dirs a session's container shares with Burrow: the one place
 * both sides' names come from. The runner scripts (runner/) use the same names, and
 * RunDirNamesTest holds them to it.
 *
 * <ul>
 *   <li>The run dir ({@link #MOUNT}): the agent's pipe and status files. The container writes
 *   there, so the host opens nothing in it but through {@link HostileFiles} or as a FIFO, and
 *   believes nothing it finds there.
 *   <li>The secrets dir ({@link #SECRETS_MOUNT}): Burrow-private, mounted read-only; Burrow puts
 *   the session's credentials there only once the repository's setup has ended.
 *   <li>The net dir ({@link #NET_MOUNT}): Burrow-private, mounted read-only; the sockets of the
 *   egress proxy and the model forwarder, which Burrow listens on.
 * </ul>
 */
public final class RunDir {
    /** Where the run dir is in the container. */
    public static final String MOUNT = "/run/burrow";
    /** The agent's stdin: a FIFO Burrow writes messages into. */
    public static final String INPUT = "in.fifo";
    /** The agent's stdout, appended; Burrow reads it from any offset. */
    public static final String OUTPUT = "out.jsonl";
    /** The agent's stderr. */
    public static final String ERRORS = "err.log";
    /** The agent's exit code, once it ended. */
    public static final String EXIT = "agent.exit";
    /** Terminal mode: Claude Code's exit code in tmux. */
    public static final String TUI_EXIT = "tui.exit";
    /** The agent stopped for its idle timeout. */
    public static final String IDLE = "idle";
    /** Written by Burrow once the workspace is cloned: the agent may start. */
    public static final String READY = "ready";
    /** A warm container's wait: Burrow opens this FIFO when a session claims the container (see WarmPool). */
    public static final String CLAIM = "claim.fifo";
    /** Burrow's save requests, one line each (see dev.burrow.session.RunDirSave): the container makes this FIFO and reads it. */
    public static final String SAVE_REQUEST = "save.fifo";
    /** A save's output (runner/burrow-save's stdout). */
    public static final String SAVE_OUTPUT = "save.out";
    /** "NONCE EXIT_CODE" once the save of that request ended. */
    public static final String SAVE_DONE = "save.done";
    /** Terminal mode: the first prompt, which the container passes to Claude once. */
    public static final String FIRST_PROMPT = "tui-prompt";
    /** Terminal mode: text Burrow pastes into Claude's screen. */
    public static final String PASTE = "paste";
    /** The repository's .burrow/setup.sh failed (its exit code). */
    public static final String SETUP_FAILED = "setup.failed";
    /** The repository's setup has ended (or there was none): Burrow may hand over the credentials. */
    public static final String SETUP_DONE = "setup.done";
    /** The setup's whole output. */
    public static final String SETUP_LOG = "setup.log";
    /** The environment's lifecycle commands, for runner/burrow-setup ({@link LifecycleFile}). */
    public static final String LIFECYCLE = LifecycleFile.NAME;

    /** Where the secrets dir is in the container. */
    public static final String SECRETS_MOUNT = "/run/burrow-secrets";
    /** The model credentials, NAME=VALUE lines (runner/burrow-agent exports them as data). */
    public static final String AGENT_ENV = "agent.env";
    /** The git host's token, for runner/burrow-git-credential and runner/gh. */
    public static final String GITHUB_TOKEN = "github-token";
    /** Written last, once the credentials are there. */
    public static final String SECRETS_READY = "ready";

    /** Where the net dir is in the container. */
    public static final String NET_MOUNT = "/run/burrow-net";
    public static final String EGRESS_SOCKET = "egress.sock";
    public static final String MODEL_SOCKET = "model.sock";
    /** The git gateway, for a git host on the host's loopback (the container reaches it on the same port of its own). */
    public static final String GIT_SOCKET = "git.sock";
    /** Live previews: Burrow listens, runner/burrow-preview connects (see PreviewTunnel). */
    public static final String PREVIEW_SOCKET = "preview.sock";

    /** Every name in the run dir either side uses. */
    public static final Set<String> RUN_DIR_NAMES = Set.of(INPUT, OUTPUT, ERRORS, EXIT, TUI_EXIT, IDLE, READY, FIRST_PROMPT, PASTE, SETUP_FAILED,
            SETUP_DONE, SETUP_LOG, LIFECYCLE, CLAIM, SAVE_REQUEST, SAVE_OUTPUT, SAVE_DONE);
    public static final Set<String> SECRETS_NAMES = Set.of(AGENT_ENV, GITHUB_TOKEN, SECRETS_READY);
    public static final Set<String> NET_NAMES = Set.of(EGRESS_SOCKET, MODEL_SOCKET, GIT_SOCKET, PREVIEW_SOCKET);

    private RunDir() {
    }
}
