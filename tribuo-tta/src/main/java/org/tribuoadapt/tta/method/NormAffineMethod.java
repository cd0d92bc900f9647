package org.tribuoadapt.tta.method;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.train.OptimiserFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The settings shared by methods that adapt the affine parameters of normalisation layers (Tent, EATA and SAR by
 * entropy minimisation, CAFA by class-aware feature alignment, Core by class correlation): the optimiser, which
 * layers (all BatchNorm and LayerNorm layers by default, or a list of layer paths), whether adaptation is episodic
 * (reset to the source weights before every batch), which parameters change ({@link AdaptedParameters}: the norm
 * layers' affine parameters, or a model's adapter), and how much the test batch weighs in the BatchNorm statistics.
 */
public abstract class NormAffineMethod implements TestTimeMethod {

    @Config(description = "The optimiser of the normalisation layers' affine parameters.")
    private OptimiserFactory optimiser;

    @Config(description = "Paths of the normalisation layers to adapt; empty adapts every BatchNorm and LayerNorm.")
    private List<String> normLayers = new ArrayList<>();

    @Config(description = "Reset to the source weights before every batch.")
    private boolean episodic = false;

    @Config(description = "The parameters to adapt: NORM_AFFINE (the normalisation layers' scales and shifts) or "
            + "ADAPTER (the model's active parameter-efficient adapter, e.g. an unmerged LoRA).")
    private AdaptedParameters adaptedParameters = AdaptedParameters.NORM_AFFINE;

    /**
     * Sets the default optimiser, for OLCUT.
     * @param defaultOptimiser The optimiser used unless one is configured.
     */
    protected NormAffineMethod(OptimiserFactory defaultOptimiser) {
        this.optimiser = defaultOptimiser;
    }

    /**
     * Sets the shared settings.
     * @param optimiser The optimiser.
     * @param normLayers Layer paths, or empty for all normalisation layers.
     * @param episodic Whether to reset before every batch.
     */
    protected NormAffineMethod(OptimiserFactory optimiser, List<String> normLayers, boolean episodic) {
        this.optimiser = optimiser;
        this.normLayers = new ArrayList<>(normLayers);
        this.episodic = episodic;
    }

    @Override
    public void postConfig() {
        if (optimiser == null) {
            throw new PropertyException("", "optimiser", displayName() + " needs an optimiser");
        }
    }

    /**
     * The optimiser factory.
     * @return The factory.
     */
    public OptimiserFactory optimiser() {
        return optimiser;
    }

    /**
     * The layers to adapt; empty for all normalisation layers.
     * @return The layer paths.
     */
    public List<String> normLayers() {
        return List.copyOf(normLayers);
    }

    /**
     * Whether the session resets before every batch.
     * @return True if episodic.
     */
    public boolean episodic() {
        return episodic;
    }

    /**
     * The normalisation layers a session adapts in a network: the configured paths, or, when none are configured,
     * the method's default choice.
     * @param network The session's network.
     * @return Layer paths; empty for every normalisation layer.
     */
    public List<String> normLayersOf(Network network) {
        return normLayers.isEmpty() ? defaultNormLayers(network) : List.copyOf(normLayers);
    }

    /**
     * The layers adapted when none are configured; every normalisation layer unless a method says otherwise.
     * @param network The network.
     * @return Layer paths; empty for every normalisation layer.
     */
    protected List<String> defaultNormLayers(Network network) {
        return List.of();
    }

    /**
     * The weight of the test-batch statistics in the session's BatchNorm layers ({@link TestTimeBatchNorm}): 1
     * normalises with the batch's own statistics, as Tent does, unless a method mixes in the source statistics.
     * @return The weight, in {@code [0, 1]}.
     */
    protected double testStatisticsWeight() {
        return 1.0;
    }

    /**
     * Which parameters the session adapts.
     * @return The choice.
     */
    public AdaptedParameters adaptedParameters() {
        return adaptedParameters;
    }

    /**
     * Adapts other parameters than the normalisation layers' affine ones.
     * @param parameters The parameters to adapt.
     * @return This method.
     */
    public NormAffineMethod withAdaptedParameters(AdaptedParameters parameters) {
        this.adaptedParameters = parameters;
        return this;
    }

    /**
     * The method's name as written in papers, for error messages.
     * @return The name, e.g. {@code Tent}.
     */
    protected abstract String displayName();

    /**
     * The shared settings for {@code toString}.
     * @return {@code optimiser=...,normLayers=...,episodic=...}.
     */
    protected String sharedSettings() {
        return "optimiser=" + optimiser + ",normLayers=" + normLayers + ",episodic=" + episodic
                + (adaptedParameters == AdaptedParameters.NORM_AFFINE ? "" : ",adaptedParameters=" + adaptedParameters);
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "TestTimeMethod");
    }
}
