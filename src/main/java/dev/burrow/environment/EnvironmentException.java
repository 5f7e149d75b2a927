package dev.burrow.environment;

/** An environment that cannot be used, in one line that says what is wrong and what to do. */
public final class EnvironmentException extends RuntimeException {
    public EnvironmentException(String message) {
        super(message);
    }

    public EnvironmentException(String message, Throwable cause) {
        super(message, cause);
    }
}
