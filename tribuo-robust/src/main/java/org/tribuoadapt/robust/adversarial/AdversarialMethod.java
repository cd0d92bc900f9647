package org.tribuoadapt.robust.adversarial;

/**
 * The adversarial training objective.
 */
public enum AdversarialMethod {
    /**
     * PGD adversarial training (Madry et al. 2018, equation 2): minimise the cross-entropy of adversarial examples
     * that maximise it.
     */
    PGD_AT,
    /**
     * TRADES (Zhang et al. 2019, equation 5): the clean cross-entropy plus {@code beta} times the KL divergence
     * between the clean and the adversarial prediction, with adversarial examples that maximise that divergence.
     */
    TRADES
}
