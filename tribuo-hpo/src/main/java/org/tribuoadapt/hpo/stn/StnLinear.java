package org.tribuoadapt.hpo.stn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Parameter;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A best-response linear layer of a Self-Tuning Network (MacKay et al. 2019, section 4.1), with the paper's structured
 * form {@code y = W_elem x + b_elem + (V λ) ⊙ (W_hyper x + b_hyper)}: the hyperparameters {@code λ} of each example
 * scale the output units of a second linear map, so the layer approximates how the best weights change with the
 * hyperparameters at the cost of doubling the weights plus {@code out × |λ|} hypernetwork entries.
 * <p>
 * Weights and biases start uniform in {@code ±1/sqrt(in)} (PyTorch's {@code Linear}) and {@code V} normal with
 * standard deviation 0.01, as in the paper's code, so the layer starts close to an ordinary linear layer.
 */
final class StnLinear {

    private static final double HYPERNET_INIT_STD = 0.01;

    private final int inFeatures;
    private final int outFeatures;
    private final int hyperparameters;
    private final Parameter elemWeight;
    private final Parameter elemBias;
    private final Parameter hyperWeight;
    private final Parameter hyperBias;
    private final Parameter hyperScale;

    /**
     * Creates the layer with seeded initial values.
     * @param manager The manager owning the weights.
     * @param inFeatures The input width.
     * @param outFeatures The output width.
     * @param hyperparameters The number of hyperparameters {@code |λ|}.
     * @param rng The random stream for the initial values.
     */
    StnLinear(NDManager manager, int inFeatures, int outFeatures, int hyperparameters, SplittableRandom rng) {
        if (inFeatures < 1 || outFeatures < 1 || hyperparameters < 1) {
            throw new IllegalArgumentException("an STN linear layer needs positive sizes, found in " + inFeatures
                    + ", out " + outFeatures + ", hyperparameters " + hyperparameters);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.hyperparameters = hyperparameters;
        double bound = 1.0 / Math.sqrt(inFeatures);
        this.elemWeight = weight(manager, "elem_weight", Initializers.uniform(outFeatures * inFeatures, bound, rng),
                new Shape(outFeatures, inFeatures));
        this.elemBias = weight(manager, "elem_bias", Initializers.uniform(outFeatures, bound, rng),
                new Shape(outFeatures));
        this.hyperWeight = weight(manager, "hyper_weight", Initializers.uniform(outFeatures * inFeatures, bound, rng),
                new Shape(outFeatures, inFeatures));
        this.hyperBias = weight(manager, "hyper_bias", Initializers.uniform(outFeatures, bound, rng),
                new Shape(outFeatures));
        this.hyperScale = weight(manager, "hyper_scale",
                Initializers.normal(outFeatures * hyperparameters, HYPERNET_INIT_STD, rng),
                new Shape(outFeatures, hyperparameters));
    }

    /**
     * Creates the layer from given values (row-major, PyTorch layout), for tests and hand-computed cases.
     * @param manager The manager owning the weights.
     * @param elemWeight {@code W_elem}, {@code [out, in]}.
     * @param elemBias {@code b_elem}, {@code [out]}.
     * @param hyperWeight {@code W_hyper}, {@code [out, in]}.
     * @param hyperBias {@code b_hyper}, {@code [out]}.
     * @param hyperScale {@code V}, {@code [out, |λ|]}.
     */
    StnLinear(NDManager manager, float[][] elemWeight, float[] elemBias, float[][] hyperWeight, float[] hyperBias,
              float[][] hyperScale) {
        this.outFeatures = elemWeight.length;
        this.inFeatures = elemWeight[0].length;
        this.hyperparameters = hyperScale[0].length;
        this.elemWeight = weight(manager, "elem_weight", flatten(elemWeight, inFeatures),
                new Shape(outFeatures, inFeatures));
        this.elemBias = weight(manager, "elem_bias", checked(elemBias, outFeatures), new Shape(outFeatures));
        this.hyperWeight = weight(manager, "hyper_weight", flatten(checkedRows(hyperWeight), inFeatures),
                new Shape(outFeatures, inFeatures));
        this.hyperBias = weight(manager, "hyper_bias", checked(hyperBias, outFeatures), new Shape(outFeatures));
        this.hyperScale = weight(manager, "hyper_scale", flatten(checkedRows(hyperScale), hyperparameters),
                new Shape(outFeatures, hyperparameters));
    }

    /**
     * The layer's output for a batch.
     * @param input The inputs, {@code [N, in]}.
     * @param hyper The (transformed) hyperparameters of each example, {@code [N, |λ|]}.
     * @return {@code W_elem x + b_elem + (V λ) ⊙ (W_hyper x + b_hyper)}, {@code [N, out]}.
     * @throws IllegalArgumentException if the shapes do not fit.
     */
    NDArray forward(NDArray input, NDArray hyper) {
        Shape in = input.getShape();
        Shape h = hyper.getShape();
        if (in.dimension() != 2 || in.get(1) != inFeatures || h.dimension() != 2 || h.get(1) != hyperparameters
                || h.get(0) != in.get(0)) {
            throw new IllegalArgumentException("STN linear layer " + inFeatures + " -> " + outFeatures + " with "
                    + hyperparameters + " hyperparameters cannot take inputs " + in + " and hyperparameters " + h);
        }
        NDArray elementary = input.matMul(elemWeight.array().transpose()).add(elemBias.array());
        NDArray response = input.matMul(hyperWeight.array().transpose()).add(hyperBias.array());
        NDArray gates = hyper.matMul(hyperScale.array().transpose());
        return elementary.add(gates.mul(response));
    }

    /**
     * The trainable tensors: {@code W_elem, b_elem, W_hyper, b_hyper, V} (the paper's φ).
     * @return The parameters.
     */
    List<Parameter> parameters() {
        return List.of(elemWeight, elemBias, hyperWeight, hyperBias, hyperScale);
    }

    /**
     * The weight matrices an L2 penalty applies to ({@code W_elem} and {@code W_hyper}; biases and {@code V} are not
     * penalised).
     * @return The matrices.
     */
    List<Parameter> penalisedWeights() {
        return List.of(elemWeight, hyperWeight);
    }

    /**
     * The ordinary linear layer this one is at fixed hyperparameters: {@code W = W_elem + diag(V λ) W_hyper},
     * {@code b = b_elem + (V λ) ⊙ b_hyper}.
     * @param hyper The transformed hyperparameters, {@code |λ|} values.
     * @return The weight rows followed by the bias as the last row ({@code out + 1} rows).
     */
    double[][] collapse(double[] hyper) {
        float[] we = elemWeight.array().toFloatArray();
        float[] be = elemBias.array().toFloatArray();
        float[] wh = hyperWeight.array().toFloatArray();
        float[] bh = hyperBias.array().toFloatArray();
        float[] v = hyperScale.array().toFloatArray();
        double[][] out = new double[outFeatures + 1][];
        double[] bias = new double[outFeatures];
        for (int o = 0; o < outFeatures; o++) {
            double gate = 0;
            for (int k = 0; k < hyperparameters; k++) {
                gate += v[o * hyperparameters + k] * hyper[k];
            }
            double[] row = new double[inFeatures];
            for (int i = 0; i < inFeatures; i++) {
                row[i] = we[o * inFeatures + i] + gate * wh[o * inFeatures + i];
            }
            out[o] = row;
            bias[o] = be[o] + gate * bh[o];
        }
        out[outFeatures] = bias;
        return out;
    }

    /**
     * The output width.
     * @return The width.
     */
    int outFeatures() {
        return outFeatures;
    }

    private static Parameter weight(NDManager manager, String name, float[] values, Shape shape) {
        NDArray array = manager.create(values, shape);
        return new Parameter(name, Parameter.Kind.WEIGHT, array);
    }

    private float[][] checkedRows(float[][] rows) {
        if (rows.length != outFeatures) {
            throw new IllegalArgumentException("expected " + outFeatures + " rows, found " + rows.length);
        }
        return rows;
    }

    private static float[] checked(float[] values, int n) {
        if (values.length != n) {
            throw new IllegalArgumentException("expected " + n + " bias values, found " + values.length);
        }
        return values.clone();
    }

    private static float[] flatten(float[][] rows, int width) {
        float[] flat = new float[rows.length * width];
        for (int r = 0; r < rows.length; r++) {
            if (rows[r].length != width) {
                throw new IllegalArgumentException("row " + r + " has " + rows[r].length + " values, expected "
                        + width);
            }
            System.arraycopy(rows[r], 0, flat, r * width, width);
        }
        return flat;
    }
}
