package org.tribuoadapt.tta.method;

/**
 * A session whose predictions depend on the current batch only (Source, BN-adapt, alpha-BN): it keeps no state,
 * so a reset changes nothing.
 */
public final class StatelessSession implements AdaptationSession {

    private final ModelOutputs outputs;

    /**
     * Wraps model outputs.
     * @param outputs The outputs; closed with the session.
     */
    public StatelessSession(ModelOutputs outputs) {
        this.outputs = outputs;
    }

    @Override
    public float[] predict(float[] features, int n) {
        return outputs.run(features, n, false).probabilities();
    }

    @Override
    public void reset() {
        // nothing is adapted
    }

    @Override
    public void close() {
        outputs.close();
    }
}
