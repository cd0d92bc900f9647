package org.tribuoadapt.robust.translation;

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
import org.tribuoadapt.robust.smoothing.BaseModels;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Wraps a classifier with robust inference by crop selection (Shifman and Weiss, ECCV 2024), building a
 * {@link CropSelectionModel}. The base is read from a Tribuo model file named in the configuration (its SHA-256 goes
 * into the run provenance as {@code base-model-sha256}) or given to the Java constructor; either way the model's run
 * provenance holds the base's provenance ({@value #BASE_PROVENANCE}) and the trainer provenance every crop setting.
 * Nothing is fitted: the dataset passed to {@code train} is checked against the base's labels and recorded as the
 * model's data provenance.
 */
public final class CropSelectionTrainer implements Trainer<Label> {

    /** Run-provenance key of the base model's provenance (and, with {@code -sha256}, of its file's hash). */
    public static final String BASE_PROVENANCE = "base-model";

    @Config(description = "Tribuo model file of the base classifier (it must predict probabilities).")
    private Path baseModelPath;

    @Config(description = "Crop margin m: crops of (height - 2m) x (width - 2m) at (2m + 1)^2 offsets.")
    private int margin = 2;

    @Config(description = "CONSISTENCY (the crop chosen from the image content, Shifman and Weiss 2024) or "
            + "CONFIDENCE (the most confident crop's prediction).")
    private CropCriterion criterion = CropCriterion.CONSISTENCY;

    @Config(description = "Image channels of the features.")
    private int channels = 1;

    @Config(description = "Image height of the features.")
    private int height = 28;

    @Config(description = "Image width of the features.")
    private int width = 28;

    private transient Model<Label> baseModel;
    private int invocationCount = 0;

    /** For OLCUT. */
    private CropSelectionTrainer() {}

    /**
     * Creates a trainer whose base is read from a Tribuo model file.
     * @param baseModelPath The base model's file.
     * @param margin The crop margin, at least 1.
     * @param criterion How the crop is chosen.
     * @param channels The image channels.
     * @param height The image height.
     * @param width The image width.
     */
    public CropSelectionTrainer(Path baseModelPath, int margin, CropCriterion criterion, int channels, int height,
                                int width) {
        this.baseModelPath = baseModelPath;
        this.margin = margin;
        this.criterion = criterion;
        this.channels = channels;
        this.height = height;
        this.width = width;
        postConfig();
    }

    /**
     * Creates a trainer for a base held in memory (reproducible from provenance only if the base is too).
     * @param baseModel The base model.
     * @param margin The crop margin, at least 1.
     * @param criterion How the crop is chosen.
     * @param channels The image channels.
     * @param height The image height.
     * @param width The image width.
     */
    public CropSelectionTrainer(Model<Label> baseModel, int margin, CropCriterion criterion, int channels, int height,
                                int width) {
        this.baseModel = baseModel;
        this.margin = margin;
        this.criterion = criterion;
        this.channels = channels;
        this.height = height;
        this.width = width;
        postConfig();
    }

    @Override
    public synchronized void postConfig() {
        if (criterion == null) {
            throw new PropertyException("", "criterion", "criterion must be CONSISTENCY or CONFIDENCE");
        }
        try {
            new CropWindows(channels, height, width, margin);
        } catch (IllegalArgumentException e) {
            throw new PropertyException(e, "", "margin", e.getMessage());
        }
        if (baseModel == null && baseModelPath == null) {
            throw new PropertyException("", "baseModelPath", "a base model is needed: set baseModelPath");
        }
        if (baseModel != null) {
            try {
                CropSelectionModel.check(baseModel, margin, channels, height, width);
            } catch (IllegalArgumentException e) {
                throw new PropertyException(e, "", "baseModel", e.getMessage());
            }
        }
    }

    @Override
    public CropSelectionModel train(Dataset<Label> examples) {
        return train(examples, Collections.emptyMap());
    }

    @Override
    public CropSelectionModel train(Dataset<Label> examples, Map<String, Provenance> runProvenance) {
        return train(examples, runProvenance, INCREMENT_INVOCATION_COUNT);
    }

    @Override
    public CropSelectionModel train(Dataset<Label> examples, Map<String, Provenance> runProvenance, int invocationCount) {
        Map<String, Provenance> instance = new LinkedHashMap<>(runProvenance);
        Model<Label> base = baseModel != null ? baseModel : BaseModels.load(baseModelPath, BASE_PROVENANCE, instance);
        BaseModels.checkDatasetLabels(examples, base);
        TrainerProvenance trainerProvenance;
        synchronized (this) {
            if (invocationCount != INCREMENT_INVOCATION_COUNT) {
                setInvocationCount(invocationCount);
            }
            trainerProvenance = getProvenance();
            this.invocationCount++;
        }
        instance.put(BASE_PROVENANCE, base.getProvenance());
        ModelProvenance provenance = new ModelProvenance(CropSelectionModel.class.getName(), OffsetDateTime.now(),
                examples.getProvenance(), trainerProvenance, instance);
        return new CropSelectionModel("crop-selection-model", provenance, base, margin, criterion, channels, height, width);
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
        return "CropSelectionTrainer(margin=" + margin + ",criterion=" + criterion + ",image=" + channels + "x" + height
                + "x" + width + ",base=" + (baseModel != null ? baseModel.getName() : baseModelPath) + ")";
    }
}
