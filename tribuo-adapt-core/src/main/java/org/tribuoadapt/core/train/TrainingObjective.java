package org.tribuoadapt.core.train;

import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;

import java.util.SplittableRandom;

/**
 * What a trainer minimises, as a configurable part of the trainer (as Tribuo's {@code LinearSGDTrainer} takes its
 * {@code LabelObjective}): plain cross-entropy ({@link CrossEntropyObjective}), cross-entropy plus the load-balancing
 * loss of mixture-of-experts networks ({@link LoadBalancingObjective}), or an objective of another module,
 * such as adversarial training (PGD-AT or TRADES) in tribuo-robust. It makes the {@link BatchObjective} of one
 * training run.
 */
public interface TrainingObjective extends Configurable, Provenancable<ConfiguredObjectProvenance> {

    /**
     * The batch objective of one training run.
     * @param runRandom The run's random stream; an objective with randomness of its own (an attack's random start)
     *                  splits it once here, and one without leaves it untouched, so that adding no randomness keeps
     *                  the run's batch order.
     * @return The objective.
     */
    BatchObjective newBatchObjective(SplittableRandom runRandom);
}
