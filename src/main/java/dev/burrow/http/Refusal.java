package dev.burrow.http;

/**
 * A request the session's Podman socket does not pass on, with the status and the one line
 * the client prints. Podman's and Docker's clients both read {@code message} from the error body.
 */
public final class Refusal extends Exception {
    public final int status;

    public Refusal(int status, String message) {
        super(message.startsWith("burrow: ") ? message : "burrow: " + message, null, false, false);
        this.status = status;
    }

    public static Refusal forbidden(String message) {
        return new Refusal(403, message);
    }

    public static Refusal notFound(String message) {
        return new Refusal(404, message);
    }

    public static Refusal badRequest(String message) {
        return new Refusal(400, message);
    }
}
