package org.tribuoadapt.core.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;

/**
 * The per-example state of one SogCLR or iSogCLR run and its loss on a batch of paired projections.
 * <p>
 * For a batch of {@code B} examples the rows of {@code z} are the first views of the examples followed by their
 * second views; after L2 normalisation, {@code s_kj = z_k . z_j}. Row {@code k}'s positive is the other view of its
 * example, and its {@code 2B - 2} negatives are every other row but itself. For each row the batch estimate of the
 * negative term is {@code g_k = mean_j exp(s_kj / tau_k)} over the negatives, and its example's moving average is
 * {@code u_k = (1 - gamma) u_i + gamma g_k} (SogCLR, Yuan et al. 2022, Algorithm 1), or {@code g_k} the first time
 * the example is seen; the example keeps the mean of its two rows' {@code u}. The loss is
 * {@code (1 / B) sum_k [-s_k,pos + mean_j (exp(s_kj / tau_k) / u_k) s_kj]} with the weights held constant, whose
 * gradient is SogCLR's stochastic gradient of {@code tau_k log E exp((s_kj - s_k,pos) / tau_k)}, summed over both
 * views of each example as LibAUC's {@code GCLoss_v1} does.
 * <p>
 * With individual temperatures (iSogCLR, Qiu et al. 2023, Algorithm 1), {@code tau_i} is the temperature of
 * example {@code i}'s rows, and after each batch the gradient of the KL-regularised objective
 * {@code tau_i log E exp(h / tau_i) + tau_i rho} in {@code tau_i}, estimated as
 * {@code log u_k + rho - mean_j (exp(s_kj / tau_k) / u_k) s_kj / tau_k} and averaged over the example's two rows,
 * enters a moving average {@code m_i = (1 - beta) m_i + beta grad} and the step
 * {@code tau_i = clip(tau_i - eta m_i, tauMin, tauMax)}. With a global temperature every {@code tau_i} stays at the
 * configured one.
 * <p>
 * The state grows with the largest example id seen. Not thread safe: one run uses it.
 */
final class ContrastiveState {

    /** The smallest denominator a weight is divided by. */
    static final double EPSILON = 1e-8;

    private final GlobalContrastiveObjective settings;
    private double[] u = new double[0];
    private double[] tau = new double[0];
    private double[] tauGradient = new double[0];

    /**
     * Creates the empty state of a run.
     * @param settings The objective's settings.
     */
    ContrastiveState(GlobalContrastiveObjective settings) {
        this.settings = settings;
    }

    /**
     * The moving-average estimate of an example's negative term, 0 before the example is seen.
     * @param id The example id.
     * @return {@code u_i}.
     */
    double u(int id) {
        return id < u.length ? u[id] : 0.0;
    }

    /**
     * The temperature of an example's rows.
     * @param id The example id.
     * @return {@code tau_i}.
     */
    double temperature(int id) {
        return id < tau.length ? tau[id] : settings.temperature();
    }

    /**
     * Computes the batch loss and updates the state of the batch's examples.
     * @param z The projections {@code [2B, d]}: first views, then second views, in the order of {@code ids}.
     * @param ids The examples' ids, distinct and non-negative.
     * @return The scalar loss; its gradient flows through {@code z}.
     * @throws IllegalArgumentException if the shapes do not match, there are fewer than two examples, or an id repeats.
     */
    NDArray loss(NDArray z, int[] ids) {
        int batch = ids.length;
        Shape shape = z.getShape();
        if (shape.dimension() != 2 || shape.get(0) != 2L * batch) {
            throw new IllegalArgumentException("contrastive projections must be [2B, d] for B = " + batch + " examples, found " + shape);
        }
        if (batch < 2) {
            throw new IllegalArgumentException("a contrastive batch needs at least two examples, found " + batch);
        }
        ensureCapacity(ids);
        int rows = 2 * batch;
        NDArray norms = z.norm(new int[] {1}, true).maximum((float) EPSILON);
        NDArray normalised = z.div(norms);
        NDArray similarities = normalised.matMul(normalised.transpose());
        float[] s = similarities.stopGradient().toFloatArray();
        double negatives = rows - 2;
        double[] weights = new double[rows * rows];
        double[] positives = new double[rows * rows];
        double[] rowU = new double[rows];
        double[] rowTauGradient = new double[rows];
        for (int k = 0; k < rows; k++) {
            int id = ids[k % batch];
            int positive = (k + batch) % rows;
            double t = tau[id];
            double g = 0;
            for (int j = 0; j < rows; j++) {
                if (j != k && j != positive) {
                    g += Math.exp(s[k * rows + j] / t);
                }
            }
            g /= negatives;
            double estimate = u[id] == 0 ? g : (1 - settings.gamma()) * u[id] + settings.gamma() * g;
            double weighted = 0;
            for (int j = 0; j < rows; j++) {
                if (j != k && j != positive) {
                    double w = Math.exp(s[k * rows + j] / t) / Math.max(estimate, EPSILON);
                    weights[k * rows + j] = w / negatives;
                    weighted += w * s[k * rows + j] / t;
                }
            }
            positives[k * rows + positive] = 1;
            rowU[k] = estimate;
            rowTauGradient[k] = Math.log(estimate) + settings.rho() - weighted / negatives;
        }
        for (int i = 0; i < batch; i++) {
            int id = ids[i];
            u[id] = (rowU[i] + rowU[i + batch]) / 2;
            if (settings.individualTemperatures()) {
                double gradient = (rowTauGradient[i] + rowTauGradient[i + batch]) / 2;
                tauGradient[id] = (1 - settings.temperatureMomentum()) * tauGradient[id]
                        + settings.temperatureMomentum() * gradient;
                tau[id] = Math.min(settings.maxTemperature(), Math.max(settings.minTemperature(),
                        tau[id] - settings.temperatureLearningRate() * tauGradient[id]));
            }
        }
        NDManager manager = z.getManager();
        NDArray weightArray = constant(manager, weights, rows);
        NDArray positiveArray = constant(manager, positives, rows);
        return similarities.mul(weightArray.sub(positiveArray)).sum().div((float) batch);
    }

    private static NDArray constant(NDManager manager, double[] values, int rows) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return manager.create(f, new Shape(rows, rows)).toType(DataType.FLOAT32, false);
    }

    private void ensureCapacity(int[] ids) {
        int largest = -1;
        for (int id : ids) {
            if (id < 0) {
                throw new IllegalArgumentException("example ids must be >= 0, found " + id);
            }
            largest = Math.max(largest, id);
        }
        boolean[] seen = new boolean[largest + 1];
        for (int id : ids) {
            if (seen[id]) {
                throw new IllegalArgumentException("example id " + id + " appears twice in one contrastive batch");
            }
            seen[id] = true;
        }
        if (largest >= u.length) {
            int size = Math.max(largest + 1, 2 * u.length);
            int old = u.length;
            u = Arrays.copyOf(u, size);
            tauGradient = Arrays.copyOf(tauGradient, size);
            tau = Arrays.copyOf(tau, size);
            Arrays.fill(tau, old, size, settings.temperature());
        }
    }
}
