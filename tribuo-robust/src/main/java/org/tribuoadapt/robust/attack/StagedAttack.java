package org.tribuoadapt.robust.attack;

import ai.djl.ndarray.NDArray;
import org.tribuoadapt.core.model.LogitNetwork;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A gradient attack made of attacks run one after another, each only on the examples the earlier ones left correctly
 * classified, as AutoAttack runs its four attacks (Croce and Hein 2020, section 5). It reports which stage broke each
 * example, so that an evaluation can record the robust accuracy after every stage.
 */
public interface StagedAttack extends GradientAttack {

    /** The stage index of an example that no stage broke (or that was misclassified before the attack). */
    int NOT_BROKEN = -1;

    /**
     * The names of the stages' attacks, in the order they run.
     * @return The names.
     */
    List<String> stageNames();

    /**
     * Crafts adversarial examples for a batch, stage by stage, for evaluation.
     * @param classifier The attacked classifier.
     * @param inputs Clean inputs {@code [N, inputShape...]} in [0, 1].
     * @param labels True label ids {@code [N]}.
     * @param rng The random stream.
     * @return The adversarial inputs and the stage that broke each example.
     * @throws IllegalArgumentException if the shapes of inputs, labels and classifier disagree.
     */
    Result perturbInStages(LogitNetwork classifier, NDArray inputs, NDArray labels, SplittableRandom rng);

    /**
     * What a staged attack returns.
     * @param adversarial Adversarial inputs, of the inputs' shape, in [0, 1] and within epsilon of them.
     * @param brokenBy For each example, the index in {@link #stageNames()} of the stage that broke it, or
     * {@link #NOT_BROKEN}.
     */
    record Result(NDArray adversarial, int[] brokenBy) {}
}
