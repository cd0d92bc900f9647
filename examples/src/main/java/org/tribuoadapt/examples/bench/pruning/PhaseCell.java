package org.tribuoadapt.examples.bench.pruning;

import org.tribuoadapt.core.pruning.LoadTemperature;
import org.tribuoadapt.core.pruning.ThreeRegimeDiagnostics;

/**
 * One cell of the load-temperature sweep: a dense network trained at one temperature, pruned at one ratio and
 * retrained twice.
 * @param point The load and temperature.
 * @param learningRate The dense training's learning rate.
 * @param batchSize The dense training's batch size.
 * @param denseAccuracy The dense network's test accuracy.
 * @param prunedAccuracy The test accuracy right after pruning, before retraining.
 * @param retrainedAccuracy The mean test accuracy of the two retrained networks.
 * @param diagnosis Mode connectivity, CKA and regime of the two retrained networks.
 */
record PhaseCell(LoadTemperature point, double learningRate, int batchSize, double denseAccuracy, double prunedAccuracy,
                 double retrainedAccuracy, ThreeRegimeDiagnostics.Diagnosis diagnosis) {

    /**
     * Whether retraining raised the test accuracy of the pruned network.
     * @return True if the retrained accuracy is higher than the pruned one.
     */
    boolean retrainingHelped() {
        return retrainedAccuracy > prunedAccuracy;
    }
}
