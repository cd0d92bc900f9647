package org.tribuoadapt.tta.method.dsrm;

import ai.djl.ndarray.NDManager;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.tta.corruption.Corruption;
import org.tribuoadapt.tta.method.ModelOutputs;
import org.tribuoadapt.tta.method.RowSoftmax;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Prepares DSRM's domain-specific heads (Zhang et al. 2023). The source domains are the clean source samples
 * (unless {@code includeClean} is false) and each listed corruption of them at one severity, every image corrupted
 * with a seed derived from {@code seed}, the corruption, the severity and its index; the listed corruptions should
 * be disjoint from the test stream's. Each domain's examples go through the shared feature extractor and one
 * softmax-regression head is fitted to each domain alone by full-batch gradient descent on the L2-regularised
 * cross-entropy, from zero weights, with step {@code 1 / (mean ||(x, 1)||^2 / 2 + l2)} (the inverse of a bound on
 * the loss's smoothness constant), so that training is deterministic.
 * <p>
 * The paper trains the shared feature extractor jointly with the heads on the pooled domains. A test-time method
 * here receives an already trained model, so the extractor is the source model, frozen; only the heads are
 * domain-specific.
 */
public final class DsrmTrainer implements Configurable, Provenancable<ConfiguredObjectProvenance> {

    /** The name of the clean source domain. */
    public static final String CLEAN = "clean";

    /** Examples per forward pass through the feature extractor. */
    private static final int EXTRACTION_BATCH = 256;

    @Config(description = "Corruptions that make the corrupted source domains (disjoint from the test corruptions).")
    private List<String> corruptions = new ArrayList<>(List.of("brightness", "pixelate", "impulse_noise"));

    @Config(description = "The severity (1-5) of the corrupted source domains.")
    private int severity = 3;

    @Config(description = "Whether the clean source samples are a source domain too.")
    private boolean includeClean = true;

    @Config(description = "Image height of the source samples; 0 with imageWidth 0 for square images.")
    private int imageHeight = 0;

    @Config(description = "Image width of the source samples; 0 with imageHeight 0 for square images.")
    private int imageWidth = 0;

    @Config(description = "The seed of the corruptions.")
    private long seed = 1L;

    @Config(description = "Full-batch gradient steps per head.")
    private int epochs = 200;

    @Config(description = "The L2 penalty on the head weights.")
    private double l2 = 1e-4;

    /** For OLCUT. */
    private DsrmTrainer() {}

    /**
     * Creates a trainer.
     * @param corruptions Corruptions that make the corrupted source domains.
     * @param severity Their severity, 1 to 5.
     * @param includeClean Whether the clean source samples are a domain too.
     * @param imageHeight Image height, or 0 (with width 0) for square images of the inputs' size.
     * @param imageWidth Image width, or 0 (with height 0) for square images of the inputs' size.
     * @param seed The corruption seed.
     * @param epochs Gradient steps per head.
     * @param l2 The L2 penalty.
     */
    public DsrmTrainer(List<String> corruptions, int severity, boolean includeClean, int imageHeight,
                       int imageWidth, long seed, int epochs, double l2) {
        this.corruptions = new ArrayList<>(corruptions);
        this.severity = severity;
        this.includeClean = includeClean;
        this.imageHeight = imageHeight;
        this.imageWidth = imageWidth;
        this.seed = seed;
        this.epochs = epochs;
        this.l2 = l2;
        postConfig();
    }

    /**
     * The default trainer: clean plus brightness, pixelate and impulse noise at severity 3, square images, seed 1,
     * 200 steps, L2 1e-4.
     * @return The trainer.
     */
    public static DsrmTrainer withDefaults() {
        return new DsrmTrainer(List.of("brightness", "pixelate", "impulse_noise"), 3, true, 0, 0, 1L, 200, 1e-4);
    }

    @Override
    public void postConfig() {
        Set<String> seen = new HashSet<>();
        for (String name : corruptions) {
            try {
                Corruption.fromName(name);
            } catch (IllegalArgumentException e) {
                throw new PropertyException("", "corruptions", e.getMessage());
            }
            if (!seen.add(name.trim().toLowerCase())) {
                throw new PropertyException("", "corruptions", "corruption '" + name + "' is listed twice");
            }
        }
        if (corruptions.size() + (includeClean ? 1 : 0) < 2) {
            throw new PropertyException("", "corruptions", "DSRM needs at least 2 source domains, but "
                    + corruptions.size() + " corruptions" + (includeClean ? " and the clean domain" : "")
                    + " make " + (corruptions.size() + (includeClean ? 1 : 0)));
        }
        try {
            Corruption.checkSeverity(severity);
        } catch (IllegalArgumentException e) {
            throw new PropertyException("", "severity", e.getMessage());
        }
        if (imageHeight < 0 || imageWidth < 0 || (imageHeight == 0) != (imageWidth == 0)) {
            throw new PropertyException("", "imageHeight", "the image size must be positive, or 0x0 for square "
                    + "images, found " + imageHeight + "x" + imageWidth);
        }
        if (epochs < 1) {
            throw new PropertyException("", "epochs", "epochs must be at least 1, found " + epochs);
        }
        if (!(l2 >= 0) || Double.isInfinite(l2)) {
            throw new PropertyException("", "l2", "l2 must be finite and >= 0, found " + l2);
        }
    }

    /**
     * Builds the source domains' inputs from clean source samples.
     * @param source Clean labelled grayscale source images, {@code imageHeight * imageWidth} values each (or a
     * square number of values, for square images).
     * @return The domains, clean first, then the corruptions in order.
     */
    public List<SourceDomain> sourceDomains(TensorDataset source) {
        if (source.size() == 0) {
            throw new IllegalArgumentException("DSRM needs labelled source samples to build its source domains");
        }
        float[] clean;
        try (NDManager manager = DjlRuntime.newManager()) {
            clean = source.features(manager, Evaluation.range(0, source.size())).toFloatArray();
        }
        int width = clean.length / source.size();
        int rows = imageHeight;
        int columns = imageWidth;
        if (imageHeight == 0) {
            rows = (int) Math.round(Math.sqrt(width));
            columns = rows;
            if (rows * columns != width) {
                throw new IllegalArgumentException("the source samples have " + width + " values each, which is no "
                        + "square image; set imageHeight and imageWidth");
            }
        } else if (width != imageHeight * imageWidth) {
            throw new IllegalArgumentException("the source samples have " + width + " values each, not "
                    + imageHeight + "x" + imageWidth + " = " + imageHeight * imageWidth + " pixels");
        }
        List<SourceDomain> domains = new ArrayList<>();
        if (includeClean) {
            domains.add(new SourceDomain(CLEAN, clean, source.labels(), width));
        }
        for (String name : corruptions) {
            Corruption corruption = Corruption.fromName(name);
            float[] shifted = new float[clean.length];
            float[] image = new float[width];
            for (int i = 0; i < source.size(); i++) {
                System.arraycopy(clean, i * width, image, 0, width);
                float[] out = corruption.apply(image, rows, columns, severity,
                        corruption.exampleSeed(seed, severity, i));
                System.arraycopy(out, 0, shifted, i * width, width);
            }
            domains.add(new SourceDomain(corruption.id() + "-" + severity, shifted, source.labels(), width));
        }
        return domains;
    }

    /**
     * Prepares the heads: builds the source domains, extracts their features and fits one head per domain.
     * @param outputs The shared feature extractor.
     * @param source Clean labelled source images.
     * @return The heads.
     */
    public DomainHeads train(ModelOutputs outputs, TensorDataset source) {
        List<SourceDomain> featureDomains = new ArrayList<>();
        for (SourceDomain domain : sourceDomains(source)) {
            featureDomains.add(extract(outputs, domain));
        }
        return fit(featureDomains, outputs.numClasses());
    }

    private static SourceDomain extract(ModelOutputs outputs, SourceDomain domain) {
        ModelOutputs.Outputs out = outputs.runInBatches(domain.features(), domain.labels().length, EXTRACTION_BATCH);
        return new SourceDomain(domain.name(), out.features(), domain.labels(), out.featureWidth());
    }

    /**
     * Fits one head to each domain's features.
     * @param domains At least two domains of features of the same width.
     * @param classes The number of classes.
     * @return The heads, in domain order.
     */
    public DomainHeads fit(List<SourceDomain> domains, int classes) {
        if (domains.size() < 2) {
            throw new IllegalArgumentException("DSRM needs at least 2 source domains, found " + domains.size());
        }
        if (classes < 2) {
            throw new IllegalArgumentException("DSRM needs at least 2 classes, found " + classes);
        }
        int width = domains.get(0).width();
        double[][] weights = new double[domains.size()][];
        double[][] biases = new double[domains.size()][];
        List<String> names = new ArrayList<>();
        for (int k = 0; k < domains.size(); k++) {
            SourceDomain domain = domains.get(k);
            if (domain.width() != width) {
                throw new IllegalArgumentException("source domain '" + domain.name() + "' has " + domain.width()
                        + " features, but '" + domains.get(0).name() + "' has " + width);
            }
            if (names.contains(domain.name())) {
                throw new IllegalArgumentException("source domain '" + domain.name() + "' is given twice");
            }
            names.add(domain.name());
            weights[k] = new double[classes * width];
            biases[k] = new double[classes];
            fitHead(domain, classes, weights[k], biases[k]);
        }
        return new DomainHeads(names, weights, biases, width, getProvenance());
    }

    private void fitHead(SourceDomain domain, int classes, double[] weight, double[] bias) {
        int n = domain.labels().length;
        int width = domain.width();
        float[] x = domain.features();
        double meanSquaredNorm = 0;
        for (int i = 0; i < n; i++) {
            meanSquaredNorm += 1;
            for (int d = 0; d < width; d++) {
                meanSquaredNorm += (double) x[i * width + d] * x[i * width + d];
            }
            int label = domain.labels()[i];
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("label " + label + " of example " + i + " of source domain '"
                        + domain.name() + "' is not one of the " + classes + " classes");
            }
        }
        double step = 1 / (meanSquaredNorm / n / 2 + l2);
        double[] gradW = new double[weight.length];
        double[] gradB = new double[classes];
        for (int epoch = 0; epoch < epochs; epoch++) {
            double[] p = RowSoftmax.apply(DomainHeads.logits(weight, bias, x, n, width, classes), n, classes);
            for (int i = 0; i < n; i++) {
                p[i * classes + domain.labels()[i]] -= 1;
            }
            Arrays.fill(gradW, 0);
            Arrays.fill(gradB, 0);
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < classes; c++) {
                    double r = p[i * classes + c] / n;
                    gradB[c] += r;
                    for (int d = 0; d < width; d++) {
                        gradW[c * width + d] += r * x[i * width + d];
                    }
                }
            }
            for (int j = 0; j < weight.length; j++) {
                weight[j] -= step * (gradW[j] + l2 * weight[j]);
            }
            for (int c = 0; c < classes; c++) {
                bias[c] -= step * gradB[c];
            }
        }
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "DsrmTrainer");
    }

    @Override
    public String toString() {
        return "DsrmTrainer(corruptions=" + corruptions + ",severity=" + severity + ",includeClean=" + includeClean
                + ",image=" + imageHeight + "x" + imageWidth + ",seed=" + seed + ",epochs=" + epochs + ",l2=" + l2
                + ")";
    }
}
