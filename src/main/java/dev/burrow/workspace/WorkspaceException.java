package dev.burrow.workspace;

/** A workspace could not be made or synced; the message is one line a user can act on. */
public class WorkspaceException extends RuntimeException {
    public WorkspaceException(String message) {
        super(message);
    }
}
