package dev.burrow.gateway;

/** The real credential the model gateway puts on a request, in the header the model API reads it from. */
public sealed interface UpstreamCredential {

    String header();

    String value();

    /** An API key: {@code x-api-key}. */
    record ApiKey(String key) implements UpstreamCredential {
        public String header() {
            return "x-api-key";
        }

        public String value() {
            return key;
        }

        @Override
        public String toString() {
            return "ApiKey[...]";
        }
    }

    /** An OAuth access token (a long-lived one, or the host login's current one): {@code Authorization: Bearer}. */
    record Bearer(String token) implements UpstreamCredential {
        public String header() {
            return "Authorization";
        }

        public String value() {
            return "Bearer " + token;
        }

        @Override
        public String toString() {
            return "Bearer[...]";
        }
    }

    /** No credential can be had now (the host login cannot be renewed): the request is answered with this reason. */
    record Unavailable(String reason) implements UpstreamCredential {
        public String header() {
            return null;
        }

        public String value() {
            return null;
        }
    }
}
