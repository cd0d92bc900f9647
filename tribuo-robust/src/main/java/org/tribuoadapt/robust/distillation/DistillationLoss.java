package org.tribuoadapt.robust.distillation;

import ai.djl.ndarray.NDArray;
import org.tribuoadapt.core.nn.TapeConstants;
import org.tribuoadapt.core.train.BatchObjective;

/**
 * The distillation loss with which a robust teacher tunes a student. Jain et al. (2023) transfer the teacher's
 * robustness by knowledge distillation on its soft labels; this is that loss in the standard form of Hinton et al.
 * (2015), a hard cross-entropy term plus the temperature-scaled KL divergence to the teacher:
 * <pre>
 *   L = (1 - lambda) * CE(softmax(z_s), y) + lambda * T^2 * mean_i KL(softmax(z_t,i / T) || softmax(z_s,i / T))
 * </pre>
 * with student logits {@code z_s}, teacher logits {@code z_t}, temperature {@code T} and distillation weight
 * {@code lambda}. The factor {@code T^2} keeps the soft term's gradients on the scale of the hard term's as the
 * temperature changes (Hinton et al. 2015, section 2). The teacher's logits are constants: no gradient flows into the
 * teacher.
 */
public final class DistillationLoss {

    private final double temperature;
    private final double distillationWeight;

    /**
     * Creates the loss.
     * @param temperature The softmax temperature {@code T} of both soft distributions, positive and finite.
     * @param distillationWeight The weight {@code lambda} of the soft term, in [0, 1]; the hard cross-entropy term
     *                           weighs {@code 1 - lambda}.
     * @throws IllegalArgumentException naming the bad value.
     */
    public DistillationLoss(double temperature, double distillationWeight) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("the temperature must be positive and finite, found " + temperature);
        }
        if (!(distillationWeight >= 0 && distillationWeight <= 1)) {
            throw new IllegalArgumentException("the distillation weight must be in [0, 1], found " + distillationWeight);
        }
        this.temperature = temperature;
        this.distillationWeight = distillationWeight;
    }

    /**
     * The scalar loss of a batch.
     * @param studentLogits The student's logits {@code [N, C]} (gradients are recorded through them).
     * @param teacherLogits The teacher's logits {@code [N, C]}, columns in the student's label order.
     * @param labels The label ids {@code [N]}.
     * @return The mean loss.
     * @throws IllegalArgumentException if the two logit shapes differ.
     */
    public NDArray loss(NDArray studentLogits, NDArray teacherLogits, NDArray labels) {
        if (!studentLogits.getShape().equals(teacherLogits.getShape())) {
            throw new IllegalArgumentException("the student's logits have shape " + studentLogits.getShape()
                    + " but the teacher's have shape " + teacherLogits.getShape());
        }
        NDArray teacherLog = TapeConstants.times(teacherLogits, 1.0 / temperature).logSoftmax(1);
        NDArray studentLog = TapeConstants.times(studentLogits, 1.0 / temperature).logSoftmax(1);
        NDArray divergence = teacherLog.exp().mul(teacherLog.sub(studentLog)).sum(new int[] {1}).mean();
        NDArray soft = TapeConstants.times(divergence, distillationWeight * temperature * temperature);
        if (distillationWeight == 1) {
            return soft;
        }
        NDArray hard = BatchObjective.crossEntropy(studentLogits, labels);
        return soft.add(TapeConstants.times(hard, 1 - distillationWeight));
    }

    /**
     * The temperature.
     * @return {@code T}.
     */
    public double temperature() {
        return temperature;
    }

    /**
     * The weight of the soft term.
     * @return {@code lambda}.
     */
    public double distillationWeight() {
        return distillationWeight;
    }

    @Override
    public String toString() {
        return "DistillationLoss(temperature=" + temperature + ",distillationWeight=" + distillationWeight + ")";
    }
}
