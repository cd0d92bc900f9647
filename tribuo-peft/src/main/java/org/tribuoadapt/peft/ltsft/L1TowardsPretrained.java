package org.tribuoadapt.peft.ltsft;

import ai.djl.ndarray.NDArray;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.peft.AdapterModule;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * LT-SFT's regularisation (Ansell et al. 2022; the authors' {@code full_l1_reg} and {@code sparse_l1_reg}): the loss
 * gains {@code lambda / N sum |theta - theta_0|}, the L1 distance of the sparsely fine-tuned parameters from their
 * pre-trained values, with {@code N} the number of values in the base network.
 */
final class L1TowardsPretrained implements BatchObjective {

    private final BatchObjective objective;
    private final List<SparseDifferenceModule> modules;
    private final float weight;

    private L1TowardsPretrained(BatchObjective objective, List<SparseDifferenceModule> modules, float weight) {
        this.objective = objective;
        this.modules = modules;
        this.weight = weight;
    }

    /**
     * Adds the regularisation to an objective.
     * @param objective The objective.
     * @param lambda The coefficient; 0 for none.
     * @param baseValues The number of values in the base network, N.
     * @param modules The adapter's modules.
     * @return The regularised objective, or the objective itself when lambda is 0.
     */
    static BatchObjective of(BatchObjective objective, double lambda, long baseValues, Collection<AdapterModule> modules) {
        if (lambda == 0) {
            return objective;
        }
        List<SparseDifferenceModule> differences = new ArrayList<>();
        for (AdapterModule m : modules) {
            differences.add((SparseDifferenceModule) m);
        }
        return new L1TowardsPretrained(objective, differences, (float) (lambda / baseValues));
    }

    @Override
    public NDArray loss(Network network, NDArray features, NDArray labels, ForwardContext context) {
        NDArray loss = objective.loss(network, features, labels, context);
        NDArray distance = null;
        for (SparseDifferenceModule m : modules) {
            distance = distance == null ? m.l1Distance() : distance.add(m.l1Distance());
        }
        return distance == null ? loss : loss.add(distance.mul(weight));
    }

    @Override
    public NDArray prepareInputs(Network network, NDArray features, NDArray labels, ForwardContext context) {
        return objective.prepareInputs(network, features, labels, context);
    }
}
