package dev.burrow.gateway;

/**
 * One answer of the model API as the gateway saw it pass: what the container cannot forge,
 * unlike the usage lines Claude Code writes.
 *
 * @param stopReason end_turn, tool_use, max_tokens, ... ; empty when the answer broke off
 */
public record ModelExchange(String model, long inputTokens, long outputTokens, long cacheReadTokens, long cacheCreationTokens,
                            String stopReason) {
    public ModelExchange {
        model = model == null ? "" : model;
        stopReason = stopReason == null ? "" : stopReason;
    }

    /** Whether the model ended its turn here (rather than asking for a tool, or breaking off). */
    public boolean endsTurn() {
        return stopReason.equals("end_turn") || stopReason.equals("stop_sequence") || stopReason.equals("max_tokens") || stopReason.equals("refusal");
    }
}
