package dev.burrow.http;

/** The status lines Burrow writes on the sockets it answers itself. */
public final class StatusLine {
    private StatusLine() {
    }

    /** "HTTP/1.1 403 Forbidden", without the CRLF. */
    public static String of(int status) {
        return "HTTP/1.1 " + status + " " + reason(status);
    }

    public static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 204 -> "No Content";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 529 -> "Overloaded";
            default -> "Status";
        };
    }
}
