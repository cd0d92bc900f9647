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
    LINF {
        @Override
        NDArray ascentDirection(NDArray gradient) {
            return gradient.sign();
        }

        @Override
        NDArray projectDelta(NDArray delta, double epsilon) {
            return delta.clip(-epsilon, epsilon);
        }

        @Override
        NDArray norms(NDArray delta) {
            return flat(delta).abs().max(new int[] {1});
        }

        @Override
        float[] randomInBall(int examples, int width, double epsilon, SplittableRandom rng) {
            float[] out = new float[examples * width];
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) ((2 * rng.nextDouble() - 1) * epsilon);
            }
            return out;
        }

        @Override
        float[] randomOnSphere(int examples, int width, double epsilon, SplittableRandom rng) {
            float[] out = new float[examples * width];
            for (int n = 0; n < examples; n++) {
                double largest = 0;
                for (int i = 0; i < width; i++) {
                    double t = 2 * rng.nextDouble() - 1;
                    out[n * width + i] = (float) t;
                    largest = Math.max(largest, Math.abs(t));
                }
                scale(out, n * width, width, epsilon / (largest + 1e-12));
            }
            return out;
        }

        @Override
        public double measure(float[] delta, int offset, int width) {
            double largest = 0;
            for (int i = 0; i < width; i++) {
                largest = Math.max(largest, Math.abs(delta[offset + i]));
            }
            return largest;
        }
    },
    /** The Euclidean length of the change. */
    L2 {
        @Override
        NDArray ascentDirection(NDArray gradient) {
            return gradient.div(PerExample.column(norms(gradient).add(1e-12), gradient.getShape()));
        }

        @Override
        NDArray projectDelta(NDArray delta, double epsilon) {
            NDArray factor = norms(delta).add(1e-12).pow(-1).mul(epsilon).minimum(1f);
            return delta.mul(PerExample.column(factor, delta.getShape()));
        }

        @Override
        NDArray norms(NDArray delta) {
            return flat(delta).square().sum(new int[] {1}).sqrt();
        }

        @Override
        float[] randomInBall(int examples, int width, double epsilon, SplittableRandom rng) {
            float[] out = randomOnSphere(examples, width, epsilon, rng);
            for (int n = 0; n < examples; n++) {
                scale(out, n * width, width, rng.nextDouble());
            }
            return out;
        }

        @Override
        float[] randomOnSphere(int examples, int width, double epsilon, SplittableRandom rng) {
            float[] out = new float[examples * width];
            for (int n = 0; n < examples; n++) {
                double squares = 0;
                for (int i = 0; i < width; i++) {
                    double g = rng.nextGaussian();
                    out[n * width + i] = (float) g;
                    squares += g * g;
                }
                scale(out, n * width, width, epsilon / (Math.sqrt(squares) + 1e-12));
            }
            return out;
        }

        @Override
        public double measure(float[] delta, int offset, int width) {
            double squares = 0;
            for (int i = 0; i < width; i++) {
                squares += (double) delta[offset + i] * delta[offset + i];
            }
            return Math.sqrt(squares);
        }
    };

    /**
     * The unit-norm direction of steepest ascent of a linear function with this gradient: the sign for Linf, the
     * normalised gradient for L2.
     * @param gradient Per-example gradients {@code [N, ...]}.
     * @return The directions.
     */
    abstract NDArray ascentDirection(NDArray gradient);

    /**
     * Projects perturbations onto the ball of radius {@code epsilon} (clipping for Linf, rescaling for L2).
     * @param delta Perturbations {@code [N, ...]}.
     * @param epsilon The radius.
     * @return The projected perturbations.
     */
    abstract NDArray projectDelta(NDArray delta, double epsilon);

    /**
     * The norm of each example's perturbation.
     * @param delta Perturbations {@code [N, ...]}.
     * @return Norms {@code [N]}.
     */
    abstract NDArray norms(NDArray delta);

    /**
     * Random perturbations inside the ball: uniform per value for Linf; a Gaussian direction scaled to a uniform
     * fraction of the radius for L2.
     * @param examples The number of examples.
     * @param width The values per example.
     * @param epsilon The radius.
     * @param rng The random stream.
     * @return {@code examples * width} values.
     */
    abstract float[] randomInBall(int examples, int width, double epsilon, SplittableRandom rng);

    /**
     * Random perturbations on the sphere of radius {@code epsilon}, as APGD starts (Croce and Hein 2020).
     * @param examples The number of examples.
     * @param width The values per example.
     * @param epsilon The radius.
     * @param rng The random stream.
     * @return {@code examples * width} values.
     */
    abstract float[] randomOnSphere(int examples, int width, double epsilon, SplittableRandom rng);

    /**
     * The norm of one example's perturbation held in a Java array.
     * @param delta The perturbations of several examples.
     * @param offset Where this example's values start.
     * @param width The values per example.
     * @return The norm.
     */
    public abstract double measure(float[] delta, int offset, int width);

    /**
     * Moves {@code adversarial} back into the epsilon ball around {@code original} and into the valid range [0, 1].
     * @param adversarial Candidate points {@code [N, ...]}.
     * @param original The clean inputs.
     * @param epsilon The radius.
     * @return The projected points.
     */
    NDArray project(NDArray adversarial, NDArray original, double epsilon) {
        return original.add(projectDelta(adversarial.sub(original), epsilon)).clip(0f, 1f);
    }

    private static NDArray flat(NDArray batch) {
        return batch.reshape(batch.getShape().get(0), -1);
    }

    private static void scale(float[] values, int offset, int width, double factor) {
        for (int i = 0; i < width; i++) {
            values[offset + i] = (float) (values[offset + i] * factor);
        }
    }
}
