package org.tribuoadapt.hpo.federated;

/**
 * The server-side global learning-rate scheduler of FedHyper (Zhou et al. 2024, "FedHyper: A Universal and Robust
 * Learning Rate Scheduler for Federated Learning with Hypergradient Descent", ICLR), applied to the averaged client
 * update {@code Delta_t} with an accumulator {@code a} of hypergradients.
 */
public enum GlobalScheduler {
    /** Plain FedAvg (McMahan et al. 2017): {@code x_{t+1} = x_t + Delta_t}. */
    NONE,
    /** FedHyper-G: {@code a = clip(a + Delta_t . Delta_{t-1}, -0.8, 4)}, {@code x_{t+1} = x_t + (1 + a) Delta_t}. */
    G,
    /**
     * FedHyper-G with server momentum: {@code a = clip(a + Delta_t . m_{t-1}, -0.2, 4)},
     * {@code x_{t+1} = x_t + Delta_t + a (Delta_t + 0.9 m_{t-1})}, {@code m_t = Delta_t + 0.9 m_{t-1}}.
     */
    GM
}
