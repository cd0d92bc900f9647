package org.tribuoadapt.tta.method.dsrm;

/**
 * How DSRM turns the heads' estimated risks on a batch into weights.
 */
public enum SteeringRule {
    /** Weights {@code softmax(-risk / temperature)} over the heads: a risk-weighted ensemble. */
    MIX,
    /** All weight on the head of lowest estimated risk (the first, among equals). */
    SELECT
}
