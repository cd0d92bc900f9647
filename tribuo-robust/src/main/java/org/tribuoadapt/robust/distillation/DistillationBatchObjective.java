package org.tribuoadapt.robust.distillation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.model.AbstractNetworkModel;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.robust.smoothing.BaseModels;

import java.util.SplittableRandom;

/**
 * The minibatch objective of robust distillation. {@link #prepareInputs} augments the batch with Gaussian noise when
 * configured (clipped to the pixel range [0, 1]); {@link #loss} scores the batch with the frozen teacher and computes
 * the {@link DistillationLoss} of the student. The student runs in inference mode: its BatchNorm layers keep their
 * pre-trained running statistics and its dropout is off, so the layers that are not tuned stay exactly as they were
 * pre-trained, buffers included.
 */
final class DistillationBatchObjective implements BatchObjective {

    private final AbstractNetworkModel teacher;
    private final int[] teacherColumns;
    private final DistillationLoss distillation;
    private final double noiseStd;
    private final SplittableRandom rng;

    /**
     * Creates the objective.
     * @param teacher The teacher.
     * @param teacherColumns For each student label id, the teacher's id of the same label.
     * @param distillation The loss.
     * @param noiseStd The standard deviation of the Gaussian input noise, 0 for clean inputs.
     * @param rng The noise's random stream.
     */
    DistillationBatchObjective(AbstractNetworkModel teacher, int[] teacherColumns, DistillationLoss distillation,
                               double noiseStd, SplittableRandom rng) {
        this.teacher = teacher;
        this.teacherColumns = teacherColumns;
        this.distillation = distillation;
        this.noiseStd = noiseStd;
        this.rng = rng;
    }

    @Override
    public NDArray prepareInputs(Network network, NDArray features, NDArray labels, ForwardContext context) {
        if (noiseStd == 0) {
            return features;
        }
        float[] noise = new float[Math.toIntExact(features.size())];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (float) (noiseStd * Initializers.gaussian(rng));
        }
        try (GradientMode off = GradientMode.disabled()) {
            return features.add(features.getManager().create(noise, features.getShape())).clip(0, 1);
        }
    }

    @Override
    public NDArray loss(Network network, NDArray features, NDArray labels, ForwardContext context) {
        NDArray teacherLogits;
        try (GradientMode off = GradientMode.disabled()) {
            Shape shape = new Shape(features.getShape().get(0)).addAll(teacher.inputShape());
            teacherLogits = teacher.logits(features.reshape(shape));
            if (!BaseModels.isIdentity(teacherColumns)) {
                teacherLogits = teacherLogits.transpose().get(features.getManager().create(teacherColumns)).transpose();
            }
        }
        NDArray studentLogits = network.forward(features, ForwardContext.inference(context.manager()));
        return distillation.loss(studentLogits, teacherLogits, labels);
    }
}
