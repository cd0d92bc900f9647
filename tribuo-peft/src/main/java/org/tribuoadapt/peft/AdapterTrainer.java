package org.tribuoadapt.peft;

import org.tribuo.Dataset;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.model.NetworkModel;

/**
 * A Tribuo trainer that adapts a frozen pre-trained network to a dataset and returns the base with the trained
 * adapter as a {@link PeftModel}: {@link PeftTrainer} for every adapter method, and trainers of procedures built on
 * the adapter framework (LT-SFT's two phases). Pipeline steps and benchmarks run any adapter method through it.
 */
public interface AdapterTrainer extends Trainer<Label> {

    /**
     * Adapts a base network given in memory.
     * @param examples The training data.
     * @param base The frozen base; its weights' SHA-256 and its provenance go into the run provenance.
     * @return The adapter model.
     */
    PeftModel train(Dataset<Label> examples, NetworkModel base);
}
