package org.tribuoadapt.tta.scenario;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuo.Dataset;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.tta.corruption.Corruption;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Shifts a clean grayscale test set with the common corruptions of Hendrycks and Dietterich (2019): one domain per
 * corruption and severity, corruption by corruption, each corruption at the listed severities in order (the
 * CIFAR-10-C protocol of RobustBench and of the benchmark of Marsden, Döbler and Yang 2024). Every domain holds the
 * same clean examples (all of them, {@code examplesPerDomain} drawn once with the seed, or, with a
 * {@code classPriorConcentration}, a subsample whose class frequencies follow Dirichlet class priors, for covariate and
 * label shift together as in Park et al. 2023), and example {@code i}
 * of the test set is always corrupted with the seed derived from the scenario seed, the corruption, the severity
 * and {@code i} ({@link Corruption#exampleSeed}), whatever the order or batch size.
 * <p>
 * The model's features must be the pixels of {@code imageHeight x imageWidth} images in row-major order with
 * values in {@code [0, 1]}, as {@code IDXImageDataSource} produces.
 */
public final class CorruptionScenario extends AbstractShiftScenario {

    @Config(description = "Corruption names in the order the stream visits them; the default is all fifteen.")
    private List<String> corruptions = new ArrayList<>(Corruption.names());

    @Config(description = "Severities (1-5) applied to each corruption, in order.")
    private List<Integer> severities = new ArrayList<>(List.of(5));

    @Config(description = "Image height in pixels.")
    private int imageHeight = 28;

    @Config(description = "Image width in pixels.")
    private int imageWidth = 28;

    /** For OLCUT. */
    private CorruptionScenario() {}

    /**
     * Creates a scenario for 28x28 images.
     * @param corruptions Corruption names, in stream order.
     * @param severities Severities, 1 to 5, applied to each corruption in order.
     * @param mode How domains follow each other.
     * @param batchSize Examples per batch, at least 1.
     * @param dirichletDelta The Dirichlet concentration of the label-correlated order; 0 for i.i.d.
     * @param examplesPerDomain Examples per domain; 0 for all.
     * @param seed The seed.
     */
    public CorruptionScenario(List<String> corruptions, List<Integer> severities, StreamMode mode, int batchSize,
                              double dirichletDelta, int examplesPerDomain, long seed) {
        this(corruptions, severities, 28, 28, mode, batchSize, dirichletDelta, examplesPerDomain, seed);
    }

    /**
     * Creates a scenario.
     * @param corruptions Corruption names, in stream order.
     * @param severities Severities, 1 to 5, applied to each corruption in order.
     * @param imageHeight The image height.
     * @param imageWidth The image width.
     * @param mode How domains follow each other.
     * @param batchSize Examples per batch, at least 1.
     * @param dirichletDelta The Dirichlet concentration of the label-correlated order; 0 for i.i.d.
     * @param examplesPerDomain Examples per domain; 0 for all.
     * @param seed The seed.
     */
    public CorruptionScenario(List<String> corruptions, List<Integer> severities, int imageHeight, int imageWidth,
                              StreamMode mode, int batchSize, double dirichletDelta, int examplesPerDomain, long seed) {
        super(mode, batchSize, dirichletDelta, examplesPerDomain, seed);
        this.corruptions = new ArrayList<>(corruptions);
        this.severities = new ArrayList<>(severities);
        this.imageHeight = imageHeight;
        this.imageWidth = imageWidth;
        postConfig();
    }

    @Override
    public void postConfig() {
        super.postConfig();
        if (corruptions.isEmpty()) {
            throw new PropertyException("", "corruptions", "corruptions is empty; choose from " + Corruption.names());
        }
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
        if (severities.isEmpty()) {
            throw new PropertyException("", "severities", "severities is empty; give values from 1 to 5");
        }
        for (Integer s : severities) {
            if (s == null || s < Corruption.MIN_SEVERITY || s > Corruption.MAX_SEVERITY) {
                throw new PropertyException("", "severities", "severity " + s + " is outside "
                        + Corruption.MIN_SEVERITY + "-" + Corruption.MAX_SEVERITY);
            }
        }
        if (severities.size() != new HashSet<>(severities).size()) {
            throw new PropertyException("", "severities", "severities " + severities + " lists a severity twice");
        }
        if (imageHeight < 1 || imageWidth < 1) {
            throw new PropertyException("", "imageHeight", "the image size must be positive, found "
                    + imageHeight + "x" + imageWidth);
        }
    }

    /**
     * The corruptions, in stream order.
     * @return The corruptions.
     */
    public List<Corruption> corruptions() {
        return corruptions.stream().map(Corruption::fromName).toList();
    }

    /**
     * The severities applied to each corruption.
     * @return The severities.
     */
    public List<Integer> severities() {
        return List.copyOf(severities);
    }

    @Override
    protected Domains domains(Dataset<Label> testData, FeatureTensorizer tensorizer,
                              ImmutableOutputInfo<Label> outputInfo, SplittableRandom rng) {
        if (testData == null) {
            throw new IllegalArgumentException("a CorruptionScenario needs the clean test data to corrupt");
        }
        int width = tensorizer.width();
        if (width != imageHeight * imageWidth) {
            throw new IllegalArgumentException("the model has " + width + " features but the scenario's images are "
                    + imageHeight + "x" + imageWidth + " = " + imageHeight * imageWidth
                    + " pixels; set imageHeight and imageWidth to the model's image size");
        }
        DenseData clean = densify(testData, tensorizer, outputInfo);
        int[] keep = subsample(clean.labels(), outputInfo.size(), rng);
        int[] labels = new int[keep.length];
        for (int k = 0; k < keep.length; k++) {
            labels[k] = clean.labels()[keep[k]];
        }
        List<ShiftDomain> domains = new ArrayList<>();
        for (Corruption corruption : corruptions()) {
            for (int severity : severities) {
                domains.add(new ShiftDomain(corruption.id() + "-" + severity, corruption.id(), severity, labels, width,
                        () -> corrupt(clean.features(), keep, corruption, severity)));
            }
        }
        return new Domains(domains, List.of(testData.getProvenance()));
    }

    private float[] corrupt(float[] clean, int[] keep, Corruption corruption, int severity) {
        int width = imageHeight * imageWidth;
        float[] out = new float[keep.length * width];
        IntStream.range(0, keep.length).parallel().forEach(k -> {
            float[] image = Arrays.copyOfRange(clean, keep[k] * width, (keep[k] + 1) * width);
            float[] shifted = corruption.apply(image, imageHeight, imageWidth, severity,
                    corruption.exampleSeed(seed(), severity, keep[k]));
            System.arraycopy(shifted, 0, out, k * width, width);
        });
        return out;
    }

    @Override
    public String describe() {
        return corruptions.size() + " corruptions x severities " + severities + ", " + super.describe();
    }
}
