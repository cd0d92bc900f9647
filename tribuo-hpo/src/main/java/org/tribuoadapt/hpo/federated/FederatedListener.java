package org.tribuoadapt.hpo.federated;

import org.tribuoadapt.core.nn.Network;

/**
 * Receives the federated simulation's progress, for example to evaluate the global model on a test set after every
 * round.
 */
@FunctionalInterface
public interface FederatedListener {

    /** A listener that ignores everything. */
    FederatedListener NONE = (round, global) -> { };

    /**
     * Called after every round with the new global network. The listener must not keep or modify the network.
     * @param round The round's figures.
     * @param global The global network.
     */
    void onRound(FederatedRound round, Network global);
}
