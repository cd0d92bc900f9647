package org.tribuoadapt.hpo.stn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.TapeConstants;
import org.tribuoadapt.core.train.BatchObjective;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A Self-Tuning multilayer perceptron (MacKay et al. 2019): {@link StnLinear} layers with ReLU and per-layer dropout
 * after every hidden layer, together with its hyperparameters and their perturbation distribution.
 * <p>
 * The hyperparameters are kept unconstrained: {@code u_l = logit(p_l)} for the dropout rate {@code p_l} after hidden
 * layer {@code l}, and {@code u_L = log(c)} for the L2 coefficient {@code c} (the last entry). Each example draws
 * {@code λ = u + σ ⊙ ε} with {@code ε ~ N(0, I)} and {@code σ = exp(s)} (section 4.2 of the paper); the unconstrained
 * {@code λ} of each example is the hypernetwork input of every layer. The entropy of this perturbation distribution is
 * {@code Σ_k s_k} plus a constant, so the hyperparameter objective subtracts {@code τ Σ_k s_k}.
 * <p>
 * Randomness (perturbations, dropout noise) is passed in as arrays so that a training run is reproducible from its
 * seed and a loss is a deterministic function of the hyperparameters for a given noise draw.
 */
final class SelfTuningNetwork implements AutoCloseable {

    /** How dropout acts in a forward pass. */
    enum DropoutMode {
        /** No dropout (prediction). */
        NONE,
        /** Bernoulli masks, rescaled by {@code 1/(1-p)} (weight steps). */
        BERNOULLI,
        /** The concrete (relaxed Bernoulli) masks, differentiable in {@code p} (hyperparameter steps). */
        CONCRETE
    }

    private final NDManager manager;
    private final List<StnLinear> layers;
    private final Parameter hyper;
    private final Parameter logScale;

    /**
     * Creates a network with seeded initial weights.
     * @param manager The manager owning the weights; closed with this network.
     * @param inputs The input width.
     * @param hidden The hidden widths (at least one layer).
     * @param classes The number of classes.
     * @param initialDropout The initial dropout rate of every hidden layer, in (0, 1).
     * @param initialL2 The initial L2 coefficient, positive.
     * @param initialScale The initial perturbation scale σ, positive.
     * @param rng The random stream for the initial weights.
     */
    SelfTuningNetwork(NDManager manager, int inputs, int[] hidden, int classes, double initialDropout,
                      double initialL2, double initialScale, SplittableRandom rng) {
        this.manager = manager;
        int count = hidden.length + 1;
        List<StnLinear> built = new ArrayList<>();
        int width = inputs;
        for (int h : hidden) {
            built.add(new StnLinear(manager, width, h, count, rng.split()));
            width = h;
        }
        built.add(new StnLinear(manager, width, classes, count, rng.split()));
        this.layers = List.copyOf(built);
        float[] start = new float[count];
        float[] scale = new float[count];
        for (int l = 0; l < hidden.length; l++) {
            start[l] = (float) Math.log(initialDropout / (1 - initialDropout));
        }
        start[hidden.length] = (float) Math.log(initialL2);
        Arrays.fill(scale, (float) Math.log(initialScale));
        this.hyper = new Parameter("hyperparameters", Parameter.Kind.WEIGHT, manager.create(start));
        this.logScale = new Parameter("log_scale", Parameter.Kind.WEIGHT, manager.create(scale));
    }

    /**
     * The hidden layers' count, which is also the index of the L2 entry in the hyperparameter vector.
     * @return The number of dropout rates.
     */
    int dropoutCount() {
        return layers.size() - 1;
    }

    /**
     * The number of hyperparameters {@code |λ|}.
     * @return The count.
     */
    int hyperparameterCount() {
        return layers.size();
    }

    /**
     * The weights φ of every layer (the weight steps' parameters).
     * @return The weights.
     */
    List<Parameter> weights() {
        List<Parameter> all = new ArrayList<>();
        for (StnLinear layer : layers) {
            all.addAll(layer.parameters());
        }
        return all;
    }

    /**
     * The unconstrained hyperparameters {@code u}.
     * @return The parameter.
     */
    Parameter hyperparameters() {
        return hyper;
    }

    /**
     * The log perturbation scales {@code s}.
     * @return The parameter.
     */
    Parameter logScale() {
        return logScale;
    }

    /**
     * Draws the hyperparameters of each example: {@code u + exp(s) ⊙ ε}.
     * @param batch The batch's manager.
     * @param epsilon Standard normal draws, {@code n × |λ|} row-major.
     * @param n The batch size.
     * @return {@code [n, |λ|]}, differentiable in {@code u} and {@code s}.
     */
    NDArray perturbed(NDManager batch, float[] epsilon, int n) {
        NDArray eps = batch.create(epsilon, new Shape(n, hyperparameterCount()));
        return hyper.array().add(logScale.array().exp().mul(eps));
    }

    /**
     * The logits of a batch.
     * @param input The inputs, {@code [n, in]}.
     * @param lambda The unconstrained hyperparameters of each example, {@code [n, |λ|]}.
     * @param mode How dropout acts.
     * @param noise Uniform(0, 1) noise for each hidden layer's dropout, {@code n × width} row-major (ignored for
     * {@link DropoutMode#NONE}).
     * @param temperature The concrete relaxation's temperature.
     * @return The logits, {@code [n, classes]}.
     */
    NDArray logits(NDArray input, NDArray lambda, DropoutMode mode, float[][] noise, double temperature) {
        NDArray h = input;
        for (int l = 0; l < layers.size(); l++) {
            h = layers.get(l).forward(h, lambda);
            if (l < dropoutCount()) {
                h = h.getNDArrayInternal().relu();
                if (mode != DropoutMode.NONE) {
                    h = dropout(h, lambda.get(":, " + l + ":" + (l + 1)), mode,
                            input.getManager().create(noise[l], h.getShape()), temperature);
                }
            }
        }
        return h;
    }

    /**
     * The weight steps' training loss: the cross-entropy under Bernoulli dropout plus the L2 penalty
     * {@code mean_i exp(λ_{i,L}) Σ ||W||²} over the {@code W_elem} and {@code W_hyper} matrices. The hyperparameters
     * are constants here.
     * @param input The inputs.
     * @param labels The label ids.
     * @param lambda The perturbed hyperparameters, detached.
     * @param noise The dropout noise.
     * @return The scalar loss.
     */
    NDArray trainingLoss(NDArray input, NDArray labels, NDArray lambda, float[][] noise) {
        NDArray loss = BatchObjective.crossEntropy(logits(input, lambda, DropoutMode.BERNOULLI, noise, 1), labels);
        NDArray squares = null;
        for (StnLinear layer : layers) {
            for (Parameter w : layer.penalisedWeights()) {
                NDArray s = w.array().square().sum();
                squares = squares == null ? s : squares.add(s);
            }
        }
        NDArray coefficient = lambda.get(":, " + dropoutCount()).exp().mean();
        return loss.add(coefficient.mul(squares));
    }

    /**
     * The hyperparameter steps' objective: the unregularised validation cross-entropy through the best-response
     * layers, under concrete dropout at the perturbed rates, minus {@code τ} times the perturbation entropy.
     * @param input The validation inputs.
     * @param labels The label ids.
     * @param lambda The perturbed hyperparameters, differentiable in {@code u} and {@code s}.
     * @param noise The concrete noise.
     * @param temperature The concrete temperature.
     * @param entropyWeight {@code τ}.
     * @return The scalar objective.
     */
    NDArray validationObjective(NDArray input, NDArray labels, NDArray lambda, float[][] noise, double temperature,
                                double entropyWeight) {
        NDArray loss = BatchObjective.crossEntropy(logits(input, lambda, DropoutMode.CONCRETE, noise, temperature),
                labels);
        return loss.sub(TapeConstants.times(logScale.array().sum(), entropyWeight));
    }

    /**
     * The widths of the hidden layers, in order.
     * @return The widths.
     */
    int[] hiddenWidths() {
        int[] widths = new int[dropoutCount()];
        for (int l = 0; l < widths.length; l++) {
            widths[l] = layers.get(l).outFeatures();
        }
        return widths;
    }

    /**
     * The ordinary network at the current (unperturbed) hyperparameters, layer by layer (see
     * {@link StnLinear#collapse}).
     * @return Per layer, the weight rows followed by the bias row.
     */
    double[][][] collapse() {
        float[] u = hyper.array().toFloatArray();
        double[] lambda = new double[u.length];
        for (int k = 0; k < u.length; k++) {
            lambda[k] = u[k];
        }
        double[][][] out = new double[layers.size()][][];
        for (int l = 0; l < out.length; l++) {
            out[l] = layers.get(l).collapse(lambda);
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }

    private static NDArray dropout(NDArray h, NDArray logitRate, DropoutMode mode, NDArray uniform,
                                   double temperature) {
        NDArray keepProbability = logitRate.neg().getNDArrayInternal().sigmoid();
        NDArray keep;
        if (mode == DropoutMode.BERNOULLI) {
            NDArray rate = logitRate.getNDArrayInternal().sigmoid();
            keep = uniform.gte(rate).toType(h.getDataType(), false);
        } else {
            NDArray noiseLogit = uniform.log().sub(uniform.neg().add(1).log());
            NDArray drop = TapeConstants.dividedBy(logitRate.add(noiseLogit), temperature).getNDArrayInternal()
                    .sigmoid();
            keep = drop.neg().add(1);
        }
        return h.mul(keep).div(keepProbability);
    }
}
