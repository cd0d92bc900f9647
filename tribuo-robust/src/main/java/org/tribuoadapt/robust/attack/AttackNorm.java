package org.tribuoadapt.robust.attack;

import ai.djl.ndarray.NDArray;

import java.util.SplittableRandom;

/**
 * The norm that bounds a perturbation, with the steepest-ascent direction, the projection onto the epsilon ball and
 * the random starting points the gradient attacks use under it (Madry et al. 2018, section 2; Croce and Hein 2020,
 * section 3).
 */
public enum AttackNorm {
    /** The largest absolute change of any input value. */
    LINF,
    /** The Euclidean length of the change. */
    L2;

    /**
     * The unit-norm direction of steepest ascent of a linear function with this gradient: the sign for Linf, the
     * normalised gradient for L2.
     * @param gradient Per-example gradients {@code [N, ...]}.
     * @return The directions.
     */
    public NDArray ascentDirection(NDArray gradient) {
        if (this == LINF) {
            return gradient.sign();
        }
        return gradient.div(PerExample.column(norms(gradient).add(1e-12f), gradient.getShape()));
    }

    /**
     * Projects perturbations onto the ball of radius {@code epsilon} (clipping for Linf, rescaling for L2).
     * @param delta Perturbations {@code [N, ...]}.
     * @param epsilon The radius.
     * @return The projected perturbations.
     */
    NDArray projectDelta(NDArray delta, double epsilon) {
        if (this == LINF) {
            return delta.clip((float) -epsilon, (float) epsilon);
        }
        NDArray factor = norms(delta).add(1e-12f).pow(-1f).mul((float) epsilon).minimum(1f);
        return delta.mul(PerExample.column(factor, delta.getShape()));
    }

    /**
     * The norm of each example's perturbation.
     * @param delta Perturbations {@code [N, ...]}.
     * @return Norms {@code [N]}.
     */
    NDArray norms(NDArray delta) {
        NDArray flat = delta.reshape(delta.getShape().get(0), -1);
        return this == LINF ? flat.abs().max(new int[] {1}) : flat.square().sum(new int[] {1}).sqrt();
    }

    /**
     * Moves {@code adversarial} back into the epsilon ball around {@code original} and into the valid range [0, 1].
     * @param adversarial Candidate points {@code [N, ...]}.
     * @param original The clean inputs.
     * @param epsilon The radius.
     * @return The projected points.
     */
    public NDArray project(NDArray adversarial, NDArray original, double epsilon) {
        return original.add(projectDelta(adversarial.sub(original), epsilon)).clip(0f, 1f);
    }

    /**
     * Random perturbations inside the ball: uniform per value for Linf; a Gaussian direction scaled to a uniform
     * fraction of the radius for L2.
     * @param examples The number of examples.
     * @param width The values per example.
     * @param epsilon The radius.
     * @param rng The random stream.
     * @return {@code examples * width} values.
     */
    public float[] randomInBall(int examples, int width, double epsilon, SplittableRandom rng) {
        if (this == LINF) {
            float[] out = new float[examples * width];
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) ((2 * rng.nextDouble() - 1) * epsilon);
            }
            return out;
        }
        float[] out = randomOnSphere(examples, width, epsilon, rng);
        for (int n = 0; n < examples; n++) {
            scale(out, n * width, width, rng.nextDouble());
        }
        return out;
    }

    /**
     * Random perturbations on the sphere of radius {@code epsilon}, as APGD starts (Croce and Hein 2020): a uniform
     * draw in [-1, 1] per value scaled to Linf norm epsilon, or a Gaussian direction scaled to L2 norm epsilon.
     * @param examples The number of examples.
     * @param width The values per example.
     * @param epsilon The radius.
     * @param rng The random stream.
     * @return {@code examples * width} values.
     */
    public float[] randomOnSphere(int examples, int width, double epsilon, SplittableRandom rng) {
        float[] out = new float[examples * width];
        for (int n = 0; n < examples; n++) {
            for (int i = 0; i < width; i++) {
                out[n * width + i] = (float) (this == LINF ? 2 * rng.nextDouble() - 1 : rng.nextGaussian());
            }
            scale(out, n * width, width, epsilon / (measure(out, n * width, width) + 1e-12));
        }
        return out;
    }

    /**
     * The norm of one example's perturbation held in a Java array.
     * @param delta The perturbations of several examples.
     * @param offset Where this example's values start.
     * @param width The values per example.
     * @return The norm.
     */
    public double measure(float[] delta, int offset, int width) {
        double total = 0;
        for (int i = 0; i < width; i++) {
            double v = delta[offset + i];
            total = this == LINF ? Math.max(total, Math.abs(v)) : total + v * v;
        }
        return this == LINF ? total : Math.sqrt(total);
    }

    private static void scale(float[] values, int offset, int width, double factor) {
        for (int i = 0; i < width; i++) {
            values[offset + i] = (float) (values[offset + i] * factor);
        }
    }
}
