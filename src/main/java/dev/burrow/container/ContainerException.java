package dev.burrow.container;

/** A podman command failed; the message is one line a user can act on. */
public class ContainerException extends RuntimeException {
    public ContainerException(String message) {
        super(message);
    }

    public ContainerException(String message, Throwable cause) {
        super(message, cause);
    }
}
