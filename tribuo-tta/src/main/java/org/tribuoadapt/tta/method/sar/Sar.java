package org.tribuoadapt.tta.method.sar;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.TapeConstants;
import org.tribuoadapt.core.train.OptimiserFactory;
import org.tribuoadapt.core.train.SGDOptimiserFactory;
import org.tribuoadapt.tta.method.AdaptationContext;
import org.tribuoadapt.tta.method.MethodRequirements;
import org.tribuoadapt.tta.method.NormAffineMethod;
import org.tribuoadapt.tta.method.NormAffineSession;
import org.tribuoadapt.tta.method.NormLayers;

import java.util.ArrayList;
import java.util.List;

/**
 * SAR (Niu et al. 2023, "Towards Stable Test-Time Adaptation in Dynamic Wild World", ICLR): sharpness-aware and
 * reliable entropy minimisation of the normalisation layers' affine parameters.
 * <ol>
 *   <li>Reliable samples (Eq. 2): entropy below {@code E0 = 0.4 ln C}; their mean entropy is differentiated.</li>
 *   <li>Sharpness-aware step (Eqs. 3-5, Foret et al. 2021): the weights move to
 *   {@code theta + rho g / ||g||} (rho = 0.05), the batch is run again, the samples reliable in both passes give
 *   the second loss, and its gradient, taken at the perturbed weights, updates the original weights through the
 *   base optimiser.</li>
 *   <li>Model recovery: an exponential moving average {@code e = 0.9 e + 0.1 L2} of the second loss is kept; when
 *   it falls below {@code e_m = 0.2} (a sign of collapse to trivial, confident predictions), the model, optimiser
 *   and average are reset to their source state.</li>
 * </ol>
 * As in the reference implementation, the norm layers of the top quarter of the blocks and the final norm layer are
 * not adapted ({@code excludeTopNorms}, on by default; see {@link #defaultNormLayers}).
 * The prediction is the output of the first forward pass. As in the reference implementation, the base optimiser
 * steps on every batch, also when no sample is reliable: the gradient is then zero, but SGD's momentum still moves
 * the weights. The
 * default base optimiser is SGD with learning rate 1e-3 and momentum 0.9 (the CIFAR setting of the benchmark of
 * Marsden, Döbler and Yang 2024).
 */
public final class Sar extends NormAffineMethod {

    /** The method's name. */
    public static final String NAME = "sar";

    @Config(description = "Neighbourhood radius rho of the sharpness-aware step.")
    private double rho = 0.05;

    @Config(description = "E0 as a fraction of ln(number of classes).")
    private double entropyMarginFactor = 0.4;

    @Config(description = "Reset when the moving average of the loss falls below this value (e_m).")
    private double resetThreshold = 0.2;

    @Config(description = "Momentum of the moving average of the loss, in [0, 1).")
    private double emaMomentum = 0.9;

    @Config(description = "Leave the norm layers of the top quarter of the blocks and the final norm layer alone, as "
            + "the reference does; false adapts every norm layer. Ignored when normLayers are listed.")
    private boolean excludeTopNorms = true;

    /** For OLCUT. */
    private Sar() {
        super(new SGDOptimiserFactory(1e-3, 0.9, false, 0.0));
    }

    /**
     * Creates SAR with the defaults: SGD (lr 1e-3, momentum 0.9), rho 0.05, E0 = 0.4 ln C, e_m 0.2.
     * @return The method.
     */
    public static Sar withDefaults() {
        Sar sar = new Sar();
        sar.postConfig();
        return sar;
    }

    /**
     * Creates SAR.
     * @param optimiser The base optimiser.
     * @param rho The sharpness-aware radius.
     * @param entropyMarginFactor E0 as a fraction of ln C.
     * @param resetThreshold The moving-average loss below which the model is reset.
     * @param normLayers Layer paths, or empty for all normalisation layers.
     * @param episodic Whether to reset before every batch.
     */
    public Sar(OptimiserFactory optimiser, double rho, double entropyMarginFactor, double resetThreshold,
                      List<String> normLayers, boolean episodic) {
        super(optimiser, normLayers, episodic);
        this.rho = rho;
        this.entropyMarginFactor = entropyMarginFactor;
        this.resetThreshold = resetThreshold;
        postConfig();
    }

    /**
     * Adapts every normalisation layer, the top blocks' and the final one included, instead of the reference's choice.
     * @return This method.
     */
    public Sar adaptingEveryNormLayer() {
        this.excludeTopNorms = false;
        return this;
    }

    @Override
    public void postConfig() {
        super.postConfig();
        if (!(rho > 0) || Double.isInfinite(rho)) {
            throw new PropertyException("", "rho", "rho must be positive and finite, found " + rho);
        }
        if (!(entropyMarginFactor > 0)) {
            throw new PropertyException("", "entropyMarginFactor", "entropyMarginFactor must be positive, found "
                    + entropyMarginFactor);
        }
        if (!(resetThreshold >= 0)) {
            throw new PropertyException("", "resetThreshold", "resetThreshold must be >= 0, found " + resetThreshold);
        }
        if (!(emaMomentum >= 0 && emaMomentum < 1)) {
            throw new PropertyException("", "emaMomentum", "emaMomentum must be in [0, 1), found " + emaMomentum);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Adapts every norm layer except, as the reference implementation of Niu et al. (2023) does (it leaves out
     * ResNet's {@code layer4} and ViT-B's blocks 9 to 11 and final {@code norm}), those of the top quarter of the
     * blocks and the final norm layer. A block is a {@code blocks.<i>} sub-tree of a transformer, or one normalised
     * stage ({@code bn<k>}) of a CNN; the top quarter is the last {@code ceil(blocks / 4)} of them.
     * @param network The session's network.
     * @return The norm layers to adapt; empty (every one) when {@code excludeTopNorms} is false or nothing is left.
     */
    @Override
    protected List<String> defaultNormLayers(Network network) {
        if (!excludeTopNorms) {
            return List.of();
        }
        List<String> norms = new ArrayList<>(NormLayers.find(network, List.of()).keySet());
        List<String> blocks = new ArrayList<>();
        for (String path : norms) {
            String block = blockOf(path);
            if (block != null && !blocks.contains(block)) {
                blocks.add(block);
            }
        }
        int top = (blocks.size() + 3) / 4;
        List<String> excluded = blocks.subList(blocks.size() - top, blocks.size());
        List<String> kept = new ArrayList<>();
        for (String path : norms) {
            String block = blockOf(path);
            boolean isFinalNorm = block == null && blocks.stream().anyMatch(b -> b.startsWith("blocks."));
            if (!isFinalNorm && !excluded.contains(block)) {
                kept.add(path);
            }
        }
        // a network whose every norm layer is in its top quarter (one normalised stage) adapts them all
        return kept;
    }

    /**
     * The block of a norm layer: {@code blocks.<i>} inside a transformer, the stage {@code bn<k>} of a CNN (also when
     * an adapter wraps it, as in {@code bn2.base_layer}), else null.
     */
    private static String blockOf(String path) {
        String[] parts = path.split("\\.");
        if (parts.length >= 2 && parts[0].equals("blocks")) {
            return "blocks." + parts[1];
        }
        return parts[0].matches("bn\\d+") ? parts[0] : null;
    }

    @Override
    protected String displayName() {
        return "SAR";
    }

    @Override
    public Session start(Model<Label> model, AdaptationContext context) {
        return new Session(model, context);
    }

    @Override
    public String toString() {
        return "Sar(" + sharedSettings() + ",rho=" + rho + ",entropyMarginFactor=" + entropyMarginFactor
                + ",resetThreshold=" + resetThreshold + ",emaMomentum=" + emaMomentum
                + (excludeTopNorms ? "" : ",excludeTopNorms=false") + ")";
    }

    /**
     * A SAR run; it counts its model recoveries.
     */
    public final class Session extends NormAffineSession {
        private final double margin;
        private double ema = Double.NaN;
        private int recoveries;

        Session(Model<Label> model, AdaptationContext context) {
            super(MethodRequirements.network(model, "SAR"), Sar.this, context);
            this.margin = entropyMarginFactor * Math.log(numClasses);
        }

        @Override
        protected NDArray adapt(NDManager batch, NDArray input) {
            NDArray logits;
            boolean[] reliable;
            try (GradientMode recording = GradientMode.enabled()) {
                logits = forward(batch, input);
                NDArray entropies = entropy(logits);
                reliable = below(entropies, null);
                if (count(reliable) == 0) {
                    // the reference still runs both SAM steps; with no sample both gradients are zero, so only the
                    // base optimiser's step remains, and with momentum it still moves the weights
                    step();
                    return logits;
                }
                GradientMode.backward(maskedMean(batch, entropies, reliable));
            }
            List<NDArray> origins = perturb();
            try (GradientMode recording = GradientMode.enabled()) {
                NDArray entropies = entropy(forward(batch, input));
                boolean[] reliableTwice = below(entropies, reliable);
                if (count(reliableTwice) > 0) {
                    NDArray loss = maskedMean(batch, entropies, reliableTwice);
                    double value = loss.stopGradient().getFloat();
                    ema = Double.isNaN(ema) ? value : emaMomentum * ema + (1 - emaMomentum) * value;
                    GradientMode.backward(loss);
                }
            }
            for (int i = 0; i < parameters.size(); i++) {
                parameters.get(i).copyFrom(origins.get(i));
            }
            // as in the reference, the base optimiser steps even when no sample was reliable twice (zero gradient)
            step();
            if (!Double.isNaN(ema) && ema < resetThreshold) {
                recoveries++;
                reset();
            }
            return logits;
        }

        /** Moves every parameter by rho g / ||g|| and returns the original values. */
        private List<NDArray> perturb() {
            List<NDArray> origins = new ArrayList<>();
            try (GradientMode noGrad = GradientMode.disabled()) {
                List<NDArray> gradients = new ArrayList<>();
                double squaredNorm = 0;
                for (Parameter p : parameters) {
                    NDArray g = p.array().getGradient();
                    gradients.add(g);
                    squaredNorm += g.square().sum().getFloat();
                }
                double scale = rho / (Math.sqrt(squaredNorm) + 1e-12);
                for (int i = 0; i < parameters.size(); i++) {
                    origins.add(parameters.get(i).array().duplicate());
                    parameters.get(i).array().addi(gradients.get(i).mul(scale));
                }
            }
            clearGradients();
            return origins;
        }

        private boolean[] below(NDArray entropies, boolean[] among) {
            float[] values;
            try (GradientMode noGrad = GradientMode.disabled()) {
                values = entropies.stopGradient().toFloatArray();
            }
            boolean[] out = new boolean[values.length];
            for (int i = 0; i < values.length; i++) {
                out[i] = (among == null || among[i]) && values[i] < margin;
            }
            return out;
        }

        private static int count(boolean[] mask) {
            int c = 0;
            for (boolean b : mask) {
                c += b ? 1 : 0;
            }
            return c;
        }

        private NDArray maskedMean(NDManager batch, NDArray values, boolean[] mask) {
            float[] weights = new float[mask.length];
            for (int i = 0; i < mask.length; i++) {
                weights[i] = mask[i] ? 1f : 0f;
            }
            return TapeConstants.dividedBy(values.mul(batch.create(weights)).sum(), count(mask));
        }

        @Override
        protected void resetState() {
            ema = Double.NaN;
        }

        /**
         * How many times the model was reset because the loss average fell below the threshold.
         * @return The count.
         */
        public int recoveries() {
            return recoveries;
        }

        /**
         * The current moving average of the loss, or NaN before the first update.
         * @return The average.
         */
        public double lossAverage() {
            return ema;
        }
    }
}
