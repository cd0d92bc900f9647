package org.tribuoadapt.core.data;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuo.ConfigurableDataSource;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.OutputFactory;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * A spuriously correlated variant of an image classification source, such as Fashion-MNIST, for out-of-distribution
 * experiments (the set-up of Zhang, Lopez-Paz and Bottou 2022, "Rich Feature Construction for the
 * Optimization-Generalization Dilemma", ICML, after Coloured MNIST): every image's background gets a grey level that
 * encodes a class, its <em>spurious attribute</em>. With probability {@code correlation} the attribute is the image's
 * own class; otherwise it is drawn uniformly from the other classes. A training set with a high correlation (0.9)
 * rewards the background, which is far easier to learn than the garment; a test set with correlation 0 (the
 * background never names the class) is anti-correlated and punishes a network that relies on it; a test set with the
 * training correlation is the in-distribution test.
 * <p>
 * Classes are ranked by their names in sorted order, and class {@code a} of {@code C} has background level
 * {@code maxIntensity * (a + 1) / C}. A pixel is background when its value is at most {@code backgroundThreshold}
 * (Fashion-MNIST's background is exactly 0); background pixels take the level, the others keep their value. The
 * attributes are drawn in the source's order from {@code seed}, so the same source and seed give the same images.
 * Every pixel must be present in each example (dense images, as {@link IDXImageDataSource} gives).
 */
public final class SpuriousBackgroundDataSource implements ConfigurableDataSource<Label> {

    @Config(mandatory = true, description = "The images to colour, e.g. an IDXImageDataSource.")
    private ConfigurableDataSource<Label> source;

    @Config(mandatory = true, description = "Probability that an image's background level names its own class, in [0, 1].")
    private double correlation;

    @Config(description = "Background level of the last class; class a of C gets maxIntensity * (a + 1) / C, in (0, 1].")
    private double maxIntensity = 0.5;

    @Config(description = "Pixels with a value at most this are background, in [0, 1).")
    private double backgroundThreshold = 0.0;

    @Config(description = "Seed of the attribute draws.")
    private long seed = 1L;

    private final LabelFactory outputFactory = new LabelFactory();

    private final List<Example<Label>> data = new ArrayList<>();

    private final List<Integer> attributes = new ArrayList<>();

    private final List<String> classOrder = new ArrayList<>();

    private SpuriousBackgroundDataSourceProvenance provenance;

    /** For OLCUT. */
    private SpuriousBackgroundDataSource() {}

    /**
     * Colours the backgrounds of a source's images.
     * @param source The images.
     * @param correlation The probability that the background names the image's class.
     * @param maxIntensity The background level of the last class.
     * @param backgroundThreshold The largest pixel value counted as background.
     * @param seed The seed of the attribute draws.
     */
    public SpuriousBackgroundDataSource(ConfigurableDataSource<Label> source, double correlation, double maxIntensity,
                                        double backgroundThreshold, long seed) {
        this.source = source;
        this.correlation = correlation;
        this.maxIntensity = maxIntensity;
        this.backgroundThreshold = backgroundThreshold;
        this.seed = seed;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (source == null) {
            throw new PropertyException("", "source", "source must be set");
        }
        if (!(correlation >= 0 && correlation <= 1)) {
            throw new PropertyException("", "correlation", "correlation must be in [0, 1], found " + correlation);
        }
        if (!(maxIntensity > 0 && maxIntensity <= 1)) {
            throw new PropertyException("", "maxIntensity", "maxIntensity must be in (0, 1], found " + maxIntensity);
        }
        if (!(backgroundThreshold >= 0 && backgroundThreshold < 1)) {
            throw new PropertyException("", "backgroundThreshold", "backgroundThreshold must be in [0, 1), found "
                    + backgroundThreshold);
        }
        TreeSet<String> names = new TreeSet<>();
        for (Example<Label> e : source) {
            names.add(e.getOutput().getLabel());
        }
        if (names.size() < 2) {
            throw new IllegalArgumentException("a spurious attribute needs at least two classes in the source, found "
                    + names.size());
        }
        classOrder.clear();
        classOrder.addAll(names);
        data.clear();
        attributes.clear();
        SplittableRandom rng = new SplittableRandom(seed);
        int classes = classOrder.size();
        for (Example<Label> e : source) {
            int own = classOrder.indexOf(e.getOutput().getLabel());
            int attribute = own;
            if (rng.nextDouble() >= correlation) {
                attribute = rng.nextInt(classes - 1);
                if (attribute >= own) {
                    attribute++;
                }
            }
            attributes.add(attribute);
            data.add(coloured(e, backgroundLevel(attribute, classes, maxIntensity)));
        }
        provenance = new SpuriousBackgroundDataSourceProvenance(this, data.size());
    }

    private Example<Label> coloured(Example<Label> example, double level) {
        int n = example.size();
        String[] names = new String[n];
        double[] values = new double[n];
        int i = 0;
        for (Feature f : example) {
            names[i] = f.getName();
            values[i] = f.getValue() <= backgroundThreshold ? level : f.getValue();
            i++;
        }
        return new ArrayExample<>(example.getOutput(), names, values);
    }

    /**
     * The background level of attribute {@code a}: {@code maxIntensity * (a + 1) / classes}.
     * @param attribute The attribute, a class rank in {@code [0, classes)}.
     * @param classes The number of classes.
     * @param maxIntensity The level of the last class.
     * @return The level.
     */
    public static double backgroundLevel(int attribute, int classes, double maxIntensity) {
        return maxIntensity * (attribute + 1) / classes;
    }

    /**
     * The spurious attribute drawn for each example, in order, as a rank in {@link #classOrder()}.
     * @return The attributes.
     */
    public List<Integer> attributes() {
        return Collections.unmodifiableList(attributes);
    }

    /**
     * The class names in rank order (sorted), which the attributes index.
     * @return The names.
     */
    public List<String> classOrder() {
        return Collections.unmodifiableList(classOrder);
    }

    @Override
    public OutputFactory<Label> getOutputFactory() {
        return outputFactory;
    }

    @Override
    public SpuriousBackgroundDataSourceProvenance getProvenance() {
        return provenance;
    }

    @Override
    public Iterator<Example<Label>> iterator() {
        return Collections.unmodifiableList(data).iterator();
    }

    @Override
    public String toString() {
        return "SpuriousBackgroundDataSource(source=" + source + ",correlation=" + correlation + ",maxIntensity="
                + maxIntensity + ",backgroundThreshold=" + backgroundThreshold + ",seed=" + seed + ",numExamples="
                + data.size() + ")";
    }
}
