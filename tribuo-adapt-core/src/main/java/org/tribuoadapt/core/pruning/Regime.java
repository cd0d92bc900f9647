package org.tribuoadapt.core.pruning;

/**
 * The three regimes of Zhou, Yang, Chang and Mahoney (ICML 2023, "A Three-regime Model of Network Pruning"), read
 * from the loss landscape of the retrained sparse networks, and the direction of the temperature (of the dense,
 * pre-pruned training) that the paper finds improves the pruned network after retraining.
 */
public enum Regime {
    /** Regime I: poorly connected minima (a barrier, {@code mc < 0}); raising the temperature helps. */
    I("I", true),
    /** Regime II-A: well connected, relatively dissimilar outputs (low CKA); lowering the temperature helps. */
    II_A("II-A", false),
    /** Regime II-B: well connected, relatively similar outputs (high CKA); raising the temperature does not help. */
    II_B("II-B", false);

    private final String label;
    private final boolean raisingTemperatureHelps;

    Regime(String label, boolean raisingTemperatureHelps) {
        this.label = label;
        this.raisingTemperatureHelps = raisingTemperatureHelps;
    }

    /**
     * The paper's name.
     * @return {@code I}, {@code II-A} or {@code II-B}.
     */
    public String label() {
        return label;
    }

    /**
     * The paper's prediction: whether a higher temperature in the dense training (more noise: a larger learning rate
     * or a smaller batch) gives a better pruned network after retraining at this load. It holds in Regime I (the move
     * towards Regime II-A); in Regime II-A the favourable move is to a lower temperature (towards II-B), and II-B is
     * left by raising it.
     * @return True in Regime I.
     */
    public boolean raisingTemperatureHelps() {
        return raisingTemperatureHelps;
    }
}
