package org.tribuoadapt.core.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuoadapt.core.train.BatchObjective;

import java.util.SplittableRandom;

/**
 * The global contrastive loss of SogCLR (Yuan et al. 2022, "Provable Stochastic Optimization for Global Contrastive
 * Learning: Small Batch Does Not Harm Performance", ICML) and, with {@code individualTemperatures}, its robust
 * version iSogCLR (Qiu et al. 2023, "Not All Semantics are Created Equal: Contrastive Self-supervised Learning with
 * Automatic Temperature Individualization", ICML), on the projections of two random views
 * ({@link ViewAugmentation}) of every image. The maths is in {@code ContrastiveState}; the defaults are those of
 * LibAUC's unimodal {@code GCLoss_v1}: temperature 0.1, gamma 0.9, and for iSogCLR rho 0.3, eta 0.01, beta 0.9 and
 * temperatures bounded to [0.05, 0.7].
 * <p>
 * SogCLR keeps one moving average {@code u_i} per training example, so the batch objective needs each example's id:
 * its "labels" are the examples' positions in the training data, which {@link ContrastiveTrainer} supplies (the
 * training loop's label column, since the labels themselves are ignored). That is why this is not a
 * {@code TrainingObjective}: under a {@code NetworkTrainer} the labels are classes, not ids.
 */
public final class GlobalContrastiveObjective implements Configurable, Provenancable<ConfiguredObjectProvenance> {

    @Config(description = "The temperature: SogCLR's global one, or iSogCLR's initial individual ones.")
    private double temperature = 0.1;

    @Config(description = "Weight of the new batch estimate in the moving average u of each example's negative term, in (0, 1].")
    private double gamma = 0.9;

    @Config(description = "Learn one temperature per example (iSogCLR) instead of the global one (SogCLR).")
    private boolean individualTemperatures = false;

    @Config(description = "iSogCLR: the KL-regularisation weight rho of the distributionally robust objective.")
    private double rho = 0.3;

    @Config(description = "iSogCLR: the step size eta of the temperature updates.")
    private double temperatureLearningRate = 0.01;

    @Config(description = "iSogCLR: weight beta of the new gradient in the moving average of each temperature's gradient, in (0, 1].")
    private double temperatureMomentum = 0.9;

    @Config(description = "iSogCLR: the smallest temperature.")
    private double minTemperature = 0.05;

    @Config(description = "iSogCLR: the largest temperature.")
    private double maxTemperature = 0.7;

    @Config(mandatory = true, description = "How the two views of each image are drawn.")
    private ViewAugmentation augmentation;

    /** For OLCUT. */
    private GlobalContrastiveObjective() {}

    /**
     * SogCLR: a global temperature.
     * @param temperature The temperature, above 0.
     * @param gamma The moving-average weight, in (0, 1].
     * @param augmentation The views.
     * @return The objective.
     */
    public static GlobalContrastiveObjective sogclr(double temperature, double gamma, ViewAugmentation augmentation) {
        GlobalContrastiveObjective objective = new GlobalContrastiveObjective();
        objective.temperature = temperature;
        objective.gamma = gamma;
        objective.augmentation = augmentation;
        objective.postConfig();
        return objective;
    }

    /**
     * iSogCLR: individual temperatures, learned by momentum gradient steps and clipped to bounds.
     * @param initialTemperature Every example's first temperature, within the bounds.
     * @param gamma The moving-average weight of u, in (0, 1].
     * @param rho The KL-regularisation weight, at least 0.
     * @param temperatureLearningRate The temperature step size eta, above 0.
     * @param temperatureMomentum The gradient moving-average weight beta, in (0, 1].
     * @param minTemperature The lower bound, above 0.
     * @param maxTemperature The upper bound.
     * @param augmentation The views.
     * @return The objective.
     */
    public static GlobalContrastiveObjective isogclr(double initialTemperature, double gamma, double rho,
                                                     double temperatureLearningRate, double temperatureMomentum,
                                                     double minTemperature, double maxTemperature,
                                                     ViewAugmentation augmentation) {
        GlobalContrastiveObjective objective = new GlobalContrastiveObjective();
        objective.temperature = initialTemperature;
        objective.gamma = gamma;
        objective.individualTemperatures = true;
        objective.rho = rho;
        objective.temperatureLearningRate = temperatureLearningRate;
        objective.temperatureMomentum = temperatureMomentum;
        objective.minTemperature = minTemperature;
        objective.maxTemperature = maxTemperature;
        objective.augmentation = augmentation;
        objective.postConfig();
        return objective;
    }

    @Override
    public void postConfig() {
        requirePositive("temperature", temperature);
        if (!(gamma > 0 && gamma <= 1)) {
            throw new PropertyException("", "gamma", "gamma must be in (0, 1], found " + gamma);
        }
        if (augmentation == null) {
            throw new PropertyException("", "augmentation", "augmentation must be set");
        }
        if (individualTemperatures) {
            requirePositive("minTemperature", minTemperature);
            requirePositive("temperatureLearningRate", temperatureLearningRate);
            if (!(maxTemperature >= minTemperature) || Double.isInfinite(maxTemperature)) {
                throw new PropertyException("", "maxTemperature", "maxTemperature must be finite and >= minTemperature "
                        + minTemperature + ", found " + maxTemperature);
            }
            if (!(temperature >= minTemperature && temperature <= maxTemperature)) {
                throw new PropertyException("", "temperature", "the initial temperature must be within [minTemperature, "
                        + "maxTemperature] = [" + minTemperature + ", " + maxTemperature + "], found " + temperature);
            }
            if (!(rho >= 0) || Double.isInfinite(rho)) {
                throw new PropertyException("", "rho", "rho must be finite and >= 0, found " + rho);
            }
            if (!(temperatureMomentum > 0 && temperatureMomentum <= 1)) {
                throw new PropertyException("", "temperatureMomentum", "temperatureMomentum must be in (0, 1], found "
                        + temperatureMomentum);
            }
        }
    }

    private static void requirePositive(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new PropertyException("", name, name + " must be finite and > 0, found " + value);
        }
    }

    /**
     * The batch objective of one run, with fresh per-example state. Its {@code labels} argument must hold the
     * batch's example ids; it ignores the network's classes.
     * @param runRandom The run's stream; the views' stream is split from it once here.
     * @return The objective.
     */
    public BatchObjective newBatchObjective(SplittableRandom runRandom) {
        SplittableRandom views = runRandom.split();
        ContrastiveState state = new ContrastiveState(this);
        return (network, features, ids, context) -> {
            Shape shape = features.getShape();
            Shape imageShape = shape.slice(1);
            float[] images = features.toFloatArray();
            float[] first = augmentation.apply(images, imageShape, views);
            float[] second = augmentation.apply(images, imageShape, views);
            float[] both = new float[2 * images.length];
            System.arraycopy(first, 0, both, 0, first.length);
            System.arraycopy(second, 0, both, first.length, second.length);
            NDArray pair = context.manager().create(both, new Shape(2 * shape.get(0)).addAll(imageShape));
            NDArray projections = network.forward(pair, context);
            return state.loss(projections, ids.toType(DataType.INT32, false).toIntArray());
        };
    }

    double temperature() {
        return temperature;
    }

    double gamma() {
        return gamma;
    }

    boolean individualTemperatures() {
        return individualTemperatures;
    }

    double rho() {
        return rho;
    }

    double temperatureLearningRate() {
        return temperatureLearningRate;
    }

    double temperatureMomentum() {
        return temperatureMomentum;
    }

    double minTemperature() {
        return minTemperature;
    }

    double maxTemperature() {
        return maxTemperature;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "GlobalContrastiveObjective");
    }

    @Override
    public String toString() {
        return (individualTemperatures ? "iSogCLR(initialTemperature=" + temperature + ",gamma=" + gamma + ",rho=" + rho
                + ",eta=" + temperatureLearningRate + ",beta=" + temperatureMomentum + ",temperatures=[" + minTemperature
                + "," + maxTemperature + "]" : "SogCLR(temperature=" + temperature + ",gamma=" + gamma)
                + ",augmentation=" + augmentation + ")";
    }
}
