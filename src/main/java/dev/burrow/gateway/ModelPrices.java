package dev.burrow.gateway;

import java.util.Locale;

/**
 * List prices of the Claude models, per million tokens, to estimate what a session's model
 * answers cost from what its gateway saw. Cache reads cost a tenth of input, cache writes a
 * quarter more (five-minute writes). A model not known here is left unpriced (NaN), never
 * guessed; Claude Code's own figure is shown beside it.
 */
public final class ModelPrices {
    private ModelPrices() {
    }

    /** Dollars for one answer, or NaN when the model's price is unknown. */
    public static double cost(ModelExchange e) {
        double[] p = perMillion(e.model());
        if (p == null) return Double.NaN;
        double in = p[0];
        double out = p[1];
        return (e.inputTokens() * in + e.cacheCreationTokens() * in * 1.25 + e.cacheReadTokens() * in * 0.1 + e.outputTokens() * out) / 1_000_000d;
    }

    /**
     * {input, output} dollars per million tokens, for the model families whose list price is
     * known here; any other (a newer model) is left unpriced rather than priced like an older one.
     */
    private static double[] perMillion(String model) {
        String m = model.toLowerCase(Locale.ROOT);
        if (m.matches(".*opus-4-[56].*")) return new double[] {5, 25};
        if (m.matches(".*(opus-4-[01]|opus-4-2025|opus-4$|3-opus).*")) return new double[] {15, 75};
        if (m.matches(".*(sonnet-4|3-7-sonnet|3-5-sonnet).*")) return new double[] {3, 15};
        if (m.matches(".*haiku-4-5.*")) return new double[] {1, 5};
        if (m.matches(".*3-5-haiku.*")) return new double[] {0.8, 4};
        if (m.matches(".*3-haiku.*")) return new double[] {0.25, 1.25};
        return null;
    }
}
