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
import java.util.TreeSet;

/**
 * The minibatch objective of robust distillation. {@link #prepareInputs} augments the batch with Gaussian noise when
 * configured (clipped to the pixel range [0, 1]); {@link #loss} scores the batch with the frozen teacher and computes
 * the {@link DistillationLoss} of the student. The student runs in inference mode: its BatchNorm layers keep their
 * pre-trained running statistics and its dropout is off, so the layers that are not tuned stay exactly as they were
 * pre-trained, buffers included. {@link RobustDistillationTrainer} trains selected layers with it; an adapter trainer
 * can pass it to its training loop in the same way (for example tribuo-peft's {@code PeftNetwork.train}).
 */
public final class DistillationBatchObjective implements BatchObjective {

    private final AbstractNetworkModel teacher;
    private final int[] teacherColumns;
    private final DistillationLoss distillation;
    private final double noiseStd;
    private final SplittableRandom rng;

    private DistillationBatchObjective(AbstractNetworkModel teacher, int[] teacherColumns, DistillationLoss distillation,
                                       double noiseStd, SplittableRandom rng) {
        this.teacher = teacher;
        this.teacherColumns = teacherColumns;
        this.distillation = distillation;
        this.noiseStd = noiseStd;
        this.rng = rng;
    }

    /**
     * The objective of distilling a teacher into a student.
     * @param teacher The teacher (frozen; scored in inference mode).
     * @param student The student, whose label order the loss uses.
     * @param distillation The loss.
     * @param noiseStd The standard deviation of the Gaussian input noise, 0 for clean inputs.
     * @param rng The noise's random stream.
     * @return The objective.
     * @throws IllegalArgumentException if the teacher and the student predict different labels, read different
     * features or a different number of values per example, or the noise is negative or not finite.
     */
    public static DistillationBatchObjective of(AbstractNetworkModel teacher, AbstractNetworkModel student,
                                                DistillationLoss distillation, double noiseStd, SplittableRandom rng) {
        if (!(noiseStd >= 0) || Double.isInfinite(noiseStd)) {
            throw new IllegalArgumentException("the input noise must be finite and >= 0, found " + noiseStd);
        }
        checkCompatible(teacher, student);
        return new DistillationBatchObjective(teacher, BaseModels.columnOrder(student.getOutputIDInfo(),
                teacher.getOutputIDInfo()), distillation, noiseStd, rng);
    }

    /**
     * Requires a teacher and a student that distillation can pair.
     * @param teacher The teacher.
     * @param student The student.
     * @throws IllegalArgumentException if they predict different labels, read different features or a different
     * number of values per example.
     */
    public static void checkCompatible(AbstractNetworkModel teacher, AbstractNetworkModel student) {
        TreeSet<String> teacherLabels = BaseModels.labelNames(teacher.getOutputIDInfo());
        TreeSet<String> studentLabels = BaseModels.labelNames(student.getOutputIDInfo());
        if (!teacherLabels.equals(studentLabels)) {
            throw new IllegalArgumentException("the teacher predicts labels " + teacherLabels
                    + " but the student predicts " + studentLabels + "; distillation needs the same labels");
        }
        if (!BaseModels.featureNames(teacher.getFeatureIDMap()).equals(BaseModels.featureNames(student.getFeatureIDMap()))
                || teacher.inputShape().size() != student.inputShape().size()) {
            throw new IllegalArgumentException("the teacher reads " + teacher.getFeatureIDMap().size()
                    + " features in shape " + teacher.inputShape() + " but the student reads "
                    + student.getFeatureIDMap().size() + " in shape " + student.inputShape()
                    + "; both must read the same features");
        }
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
