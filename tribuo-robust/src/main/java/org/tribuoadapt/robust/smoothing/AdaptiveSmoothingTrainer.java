package org.tribuoadapt.robust.smoothing;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import org.tribuo.Dataset;
import org.tribuo.Model;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.TrainerProvenance;
import org.tribuo.provenance.impl.TrainerProvenanceImpl;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds a fixed-alpha {@link AdaptiveSmoothingModel} (Bai et al. 2024, equation 3) from a standard and a robust
 * base model. The bases are read from Tribuo model files named in the configuration (their SHA-256 goes into the run
 * provenance), or given directly to the Java constructor; either way the model's provenance holds both bases'
 * provenance. Nothing is fitted: the dataset passed to {@code train} is checked against the bases' labels and
 * recorded as the model's data provenance.
 */
public final class AdaptiveSmoothingTrainer implements Trainer<Label> {

    @Config(description = "Tribuo model file of the standard (accurate) base model.")
    private Path standardModelPath;

    @Config(description = "Tribuo model file of the robust base model.")
    private Path robustModelPath;

    @Config(description = "The robust model's weight alpha, in [0, 1].")
    private double alpha = 0.5;

    @Config(description = "The standard model's logit scale s_std.")
    private double standardTemperature = 1.0;

    @Config(description = "The robust model's logit scale s_rob.")
    private double robustTemperature = 1.0;

    private transient Model<Label> standardModel;
    private transient Model<Label> robustModel;
    private int invocationCount = 0;

    /** For OLCUT. */
    private AdaptiveSmoothingTrainer() {}

    /**
     * Creates a trainer whose bases are read from Tribuo model files.
     * @param standardModelPath The standard model's file.
     * @param robustModelPath The robust model's file.
     * @param alpha The robust model's weight.
     * @param standardTemperature The standard model's logit scale.
     * @param robustTemperature The robust model's logit scale.
     */
    public AdaptiveSmoothingTrainer(Path standardModelPath, Path robustModelPath, double alpha,
                                    double standardTemperature, double robustTemperature) {
        this.standardModelPath = standardModelPath;
        this.robustModelPath = robustModelPath;
        this.alpha = alpha;
        this.standardTemperature = standardTemperature;
        this.robustTemperature = robustTemperature;
        postConfig();
    }

    /**
     * Creates a trainer for bases held in memory.
     * @param standardModel The standard model.
     * @param robustModel The robust model.
     * @param alpha The robust model's weight.
     * @param standardTemperature The standard model's logit scale.
     * @param robustTemperature The robust model's logit scale.
     */
    public AdaptiveSmoothingTrainer(Model<Label> standardModel, Model<Label> robustModel, double alpha,
                                    double standardTemperature, double robustTemperature) {
        this.standardModel = standardModel;
        this.robustModel = robustModel;
        this.alpha = alpha;
        this.standardTemperature = standardTemperature;
        this.robustTemperature = robustTemperature;
        postConfig();
    }

    @Override
    public synchronized void postConfig() {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new PropertyException("", "alpha", "alpha must be in [0, 1], found " + alpha);
        }
        if (!(standardTemperature > 0) || Double.isInfinite(standardTemperature)) {
            throw new PropertyException("", "standardTemperature", "standardTemperature must be positive and finite, found "
                    + standardTemperature);
        }
        if (!(robustTemperature > 0) || Double.isInfinite(robustTemperature)) {
            throw new PropertyException("", "robustTemperature", "robustTemperature must be positive and finite, found "
                    + robustTemperature);
        }
        if ((standardModel == null || robustModel == null) && (standardModelPath == null || robustModelPath == null)) {
            throw new PropertyException("", "standardModelPath",
                    "both base models are needed: set standardModelPath and robustModelPath");
        }
    }

    @Override
    public AdaptiveSmoothingModel train(Dataset<Label> examples) {
        return train(examples, Collections.emptyMap());
    }

    @Override
    public AdaptiveSmoothingModel train(Dataset<Label> examples, Map<String, Provenance> runProvenance) {
        return train(examples, runProvenance, INCREMENT_INVOCATION_COUNT);
    }

    @Override
    public AdaptiveSmoothingModel train(Dataset<Label> examples, Map<String, Provenance> runProvenance,
                                        int invocationCount) {
        Map<String, Provenance> instance = new LinkedHashMap<>(runProvenance);
        Model<Label> standard = standardModel != null ? standardModel
                : BaseModels.load(standardModelPath, BaseModels.STANDARD, instance);
        Model<Label> robust = robustModel != null ? robustModel
                : BaseModels.load(robustModelPath, BaseModels.ROBUST, instance);
        BaseModels.checkSameLabels(standard, robust);
        BaseModels.checkDatasetLabels(examples, standard);
        TrainerProvenance trainerProvenance;
        synchronized (this) {
            if (invocationCount != INCREMENT_INVOCATION_COUNT) {
                setInvocationCount(invocationCount);
            }
            trainerProvenance = getProvenance();
            this.invocationCount++;
        }
        instance.putAll(BaseModels.describe(standard, robust));
        ModelProvenance provenance = new ModelProvenance(AdaptiveSmoothingModel.class.getName(), OffsetDateTime.now(),
                examples.getProvenance(), trainerProvenance, instance);
        return new AdaptiveSmoothingModel("adaptive-smoothing-model", provenance,
                BaseModels.union(standard.getFeatureIDMap(), robust.getFeatureIDMap()), standard.getOutputIDInfo(),
                standard, robust, alpha, standardTemperature, robustTemperature);
    }

    @Override
    public int getInvocationCount() {
        return invocationCount;
    }

    @Override
    public synchronized void setInvocationCount(int invocationCount) {
        if (invocationCount < 0) {
            throw new IllegalArgumentException("The supplied invocationCount is less than zero.");
        }
        this.invocationCount = invocationCount;
    }

    @Override
    public TrainerProvenance getProvenance() {
        return new TrainerProvenanceImpl(this);
    }

    @Override
    public String toString() {
        return "AdaptiveSmoothingTrainer(alpha=" + alpha + ",standardTemperature=" + standardTemperature
                + ",robustTemperature=" + robustTemperature + ",standard=" + (standardModel != null
                ? standardModel.getName() : standardModelPath) + ",robust=" + (robustModel != null ? robustModel.getName()
                : robustModelPath) + ")";
    }
}
