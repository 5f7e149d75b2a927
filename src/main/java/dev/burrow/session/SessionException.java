package dev.burrow.session;

/**
 * A session action that cannot be done; the message is one line saying what is wrong and
 * what to do. {@link Kind} maps to the HTTP status the web layer answers with.
 */
public class SessionException extends RuntimeException {
    public enum Kind { BAD_INPUT, NOT_FOUND, CONFLICT, TOO_LARGE, UNAVAILABLE }

    private final Kind kind;

    public SessionException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    /** With the failure that led to it, kept for the logs; the message is still the one line the user reads. */
    public SessionException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
