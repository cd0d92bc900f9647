package org.tribuoadapt.core.train;

import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;

import java.util.SplittableRandom;

/**
 * The mean cross-entropy of the network's softmax and the true labels: ordinary supervised training, and the default
 * objective of every trainer.
 */
public final class CrossEntropyObjective implements TrainingObjective {

    /** Creates the objective (it has no settings). */
    public CrossEntropyObjective() {}

    @Override
    public BatchObjective newBatchObjective(SplittableRandom runRandom) {
        return BatchObjective.crossEntropy();
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "TrainingObjective");
    }

    @Override
    public String toString() {
        return "CrossEntropyObjective";
    }
}
