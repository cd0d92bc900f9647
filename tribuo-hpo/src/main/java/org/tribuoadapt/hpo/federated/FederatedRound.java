package org.tribuoadapt.hpo.federated;

import java.io.Serializable;

/**
 * What one round of the federated simulation did.
 *
 * @param round The round number, from 1.
 * @param sampledClients How many clients trained this round.
 * @param clientLoss The mean training loss over the sampled clients' local steps.
 * @param clientLearningRate The learning rate the clients started from (eta_0, or the SL scheduler's rate).
 * @param finalClientLearningRate The clients' mean learning rate at the end of local training (differs from
 *     {@code clientLearningRate} only under the CL scheduler).
 * @param globalMultiplier The factor the global scheduler applied to the averaged update ({@code 1 + a}; 1 for FedAvg).
 * @param validationLoss The global model's loss on the held-out split, or NaN without one.
 * @param validationAccuracy The global model's accuracy on the held-out split, or NaN without one.
 * @param seconds The wall time of the round.
 */
public record FederatedRound(int round, int sampledClients, double clientLoss, double clientLearningRate,
                             double finalClientLearningRate, double globalMultiplier, double validationLoss,
                             double validationAccuracy, double seconds) implements Serializable {
}
