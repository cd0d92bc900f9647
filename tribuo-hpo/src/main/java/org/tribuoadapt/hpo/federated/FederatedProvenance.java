package org.tribuoadapt.hpo.federated;

import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.DoubleProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The run-provenance entries of a federated model: the client split it trained on and its per-round schedule
 * (learning rates, global multipliers and held-out accuracy), so a report can redraw the curves from the model
 * alone.
 */
public final class FederatedProvenance {

    /** Examples held by the smallest client. */
    public static final String SMALLEST_CLIENT = "federated-smallest-client";
    /** Examples held by the largest client. */
    public static final String LARGEST_CLIENT = "federated-largest-client";
    /** The clients' starting learning rate of every round. */
    public static final String CLIENT_LEARNING_RATES = "federated-client-learning-rates";
    /** The clients' mean final learning rate of every round. */
    public static final String FINAL_CLIENT_LEARNING_RATES = "federated-final-client-learning-rates";
    /** The global multiplier of every round. */
    public static final String GLOBAL_MULTIPLIERS = "federated-global-multipliers";
    /** The held-out accuracy after every round (only with a validation split). */
    public static final String VALIDATION_ACCURACY = "federated-validation-accuracy";

    private FederatedProvenance() {}

    /**
     * Describes a federated run.
     * @param partition The client split.
     * @param rounds The rounds.
     * @return An ordered map of provenance entries.
     */
    public static Map<String, Provenance> describe(DirichletPartition partition, List<FederatedRound> rounds) {
        Map<String, Provenance> out = new LinkedHashMap<>();
        int[] sizes = partition.sizes();
        int smallest = Integer.MAX_VALUE;
        int largest = 0;
        for (int s : sizes) {
            smallest = Math.min(smallest, s);
            largest = Math.max(largest, s);
        }
        out.put(SMALLEST_CLIENT, new IntProvenance(SMALLEST_CLIENT, smallest));
        out.put(LARGEST_CLIENT, new IntProvenance(LARGEST_CLIENT, largest));
        out.put(CLIENT_LEARNING_RATES, series(CLIENT_LEARNING_RATES, rounds, FederatedRound::clientLearningRate));
        out.put(FINAL_CLIENT_LEARNING_RATES, series(FINAL_CLIENT_LEARNING_RATES, rounds, FederatedRound::finalClientLearningRate));
        out.put(GLOBAL_MULTIPLIERS, series(GLOBAL_MULTIPLIERS, rounds, FederatedRound::globalMultiplier));
        if (!rounds.isEmpty() && !Double.isNaN(rounds.get(0).validationAccuracy())) {
            out.put(VALIDATION_ACCURACY, series(VALIDATION_ACCURACY, rounds, FederatedRound::validationAccuracy));
        }
        return out;
    }

    private static ListProvenance<DoubleProvenance> series(String name, List<FederatedRound> rounds,
                                                           ToDoubleFunction<FederatedRound> value) {
        List<DoubleProvenance> values = new ArrayList<>(rounds.size());
        for (FederatedRound r : rounds) {
            values.add(new DoubleProvenance(name, value.applyAsDouble(r)));
        }
        return new ListProvenance<>(values);
    }
}
