package org.tribuoadapt.robust.attack;

import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.classification.Label;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A score-based attack that only queries a Tribuo model's predicted probabilities, so it works on any model,
 * including external ones (ONNX) and models without gradients.
 */
public interface BlackBoxAttack extends Attack {

    /**
     * Crafts adversarial examples by querying {@code model.predict}.
     * @param model The attacked model; it must produce probabilities.
     * @param examples The clean examples, with their true labels.
     * @param rng The random stream.
     * @return Dense adversarial examples in the model's feature space, one per input, with the same labels.
     * @throws IllegalArgumentException if the model produces no probabilities, a label is unknown to it, or the
     * examples do not fit the configured input shape.
     */
    List<Example<Label>> perturb(Model<Label> model, List<Example<Label>> examples, SplittableRandom rng);

    @Override
    BlackBoxAttack withEpsilon(double epsilon);
}
