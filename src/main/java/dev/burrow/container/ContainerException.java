package dev.burrow.container;

/** A podman command failed; the message is one line a user can act on. */
public class ContainerException extends RuntimeException {
    public ContainerException(String message) {
        super(message);
    }

    public ContainerException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A podman call that outlived its timeout, and was killed with what it started. */
    public static final class TimedOut extends ContainerException {
        public TimedOut(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
