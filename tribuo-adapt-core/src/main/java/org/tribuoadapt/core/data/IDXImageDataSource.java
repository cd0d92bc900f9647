package org.tribuoadapt.core.data;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;
import org.tribuo.ConfigurableDataSource;
import org.tribuo.Example;
import org.tribuo.OutputFactory;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * A {@link ConfigurableDataSource} which reads an MNIST style pair of IDX files, one of unsigned byte
 * images (magic 0x00000803) and one of unsigned byte labels (magic 0x00000801), each either raw or gzip
 * compressed.
 * <p>
 * Every image becomes a dense {@link ArrayExample} holding all its pixels, zeros included, scaled to [0,1]
 * by dividing by 255. Pixel {@code i} of an image with {@code n} pixels is named by
 * {@link #featureName(int, int)}, e.g., "px000" to "px783" for 28x28 images, so the lexicographic order
 * of the names (which Tribuo uses to assign feature ids) is the row-major pixel order.
 * <p>
 * Label {@code k} becomes the class "k", or {@code classNames[k]} if class names are configured.
 * {@code keepClasses} restricts the examples to some raw labels, and {@code maxPerClass} keeps only the
 * first examples of each class in file order, so the selection is deterministic.
 * <p>
 * Locations are filesystem paths, or {@code classpath:} followed by a class path resource name.
 * Configuration errors throw {@link PropertyException}, unreadable resources {@link IOException}
 * and malformed or inconsistent files {@link IllegalStateException}.
 */
public final class IDXImageDataSource implements ConfigurableDataSource<Label> {
    private static final Logger logger = Logger.getLogger(IDXImageDataSource.class.getName());

    /**
     * The prefix of every pixel feature name.
     */
    public static final String FEATURE_PREFIX = "px";

    /**
     * The number of distinct values an unsigned byte label can take.
     */
    private static final int NUM_BYTE_VALUES = 256;

    @Config(mandatory = true, description = "Location of the IDX image file (a path, or classpath:resource), raw or gzipped.")
    private String imagesLocation;

    @Config(mandatory = true, description = "Location of the IDX label file (a path, or classpath:resource), raw or gzipped.")
    private String labelsLocation;

    @Config(description = "Class names indexed by label value; if empty the label value itself is the class name.")
    private List<String> classNames = new ArrayList<>();

    @Config(description = "Raw label values to keep; if empty every example is kept.")
    private List<Integer> keepClasses = new ArrayList<>();

    @Config(description = "Keep at most this many examples per class, the first in file order; 0 keeps all.")
    private int maxPerClass = 0;

    private final LabelFactory outputFactory = new LabelFactory();

    private final List<Example<Label>> data = new ArrayList<>();

    private int rows;

    private int cols;

    private IDXImageDataSourceProvenance provenance;

    /**
     * For OLCUT.
     */
    private IDXImageDataSource() {}

    /**
     * Loads every example of an IDX image file and its label file, naming each class by its label value.
     *
     * @param imagesLocation The image file, a path or {@code classpath:} resource.
     * @param labelsLocation The label file, a path or {@code classpath:} resource.
     * @throws IOException If either resource cannot be read.
     */
    public IDXImageDataSource(String imagesLocation, String labelsLocation) throws IOException {
        this(imagesLocation, labelsLocation, Collections.emptyList(), Collections.emptyList(), 0);
    }

    /**
     * Loads a filtered selection of an IDX image file and its label file.
     *
     * @param imagesLocation The image file, a path or {@code classpath:} resource.
     * @param labelsLocation The label file, a path or {@code classpath:} resource.
     * @param classNames     Class names indexed by label value; null or empty to use the label value.
     * @param keepClasses    The raw label values to keep; null or empty to keep all.
     * @param maxPerClass    The maximum number of examples per class, the first in file order; 0 for all.
     * @throws IOException If either resource cannot be read.
     */
    public IDXImageDataSource(String imagesLocation, String labelsLocation, List<String> classNames,
                              List<Integer> keepClasses, int maxPerClass) throws IOException {
        this.imagesLocation = imagesLocation;
        this.labelsLocation = labelsLocation;
        this.classNames = classNames == null ? new ArrayList<>() : new ArrayList<>(classNames);
        this.keepClasses = keepClasses == null ? new ArrayList<>() : new ArrayList<>(keepClasses);
        this.maxPerClass = maxPerClass;
        postConfig();
    }

    /**
     * Used by the OLCUT configuration system, and should not be called by external code.
     * <p>
     * Validates the configuration, then loads the data.
     *
     * @throws IOException If either resource cannot be read.
     */
    @Override
    public void postConfig() throws IOException {
        validateConfig();
        load();
    }

    /**
     * Checks the configured fields, independently of the files.
     */
    private void validateConfig() {
        requireLocation("imagesLocation", imagesLocation);
        requireLocation("labelsLocation", labelsLocation);
        Set<String> seenNames = new HashSet<>();
        for (int i = 0; i < classNames.size(); i++) {
            String name = classNames.get(i);
            if (name == null || name.isBlank()) {
                throw new PropertyException("", "classNames", "classNames[" + i + "] is blank, expected a non-empty class name");
            }
            if (!seenNames.add(name)) {
                throw new PropertyException("", "classNames", "classNames[" + i + "] = '" + name + "' is a duplicate, expected distinct class names");
            }
        }
        int maxLabel = classNames.isEmpty() ? NUM_BYTE_VALUES - 1 : classNames.size() - 1;
        for (Integer keep : keepClasses) {
            if (keep == null || keep < 0 || keep > maxLabel) {
                throw new PropertyException("", "keepClasses", "keepClasses contains " + keep
                        + ", expected a label value between 0 and " + maxLabel
                        + (classNames.isEmpty() ? "" : " (classNames has " + classNames.size() + " entries)"));
            }
        }
        if (maxPerClass < 0) {
            throw new PropertyException("", "maxPerClass", "maxPerClass is " + maxPerClass + ", expected 0 (keep all) or a positive count");
        }
    }

    /**
     * Checks a location is present.
     *
     * @param field    The field name.
     * @param location The location.
     */
    private static void requireLocation(String field, String location) {
        if (location == null || location.isBlank()) {
            throw new PropertyException("", field, field + " is empty, expected a file path or classpath: resource");
        }
    }

    /**
     * Reads both files, selects the examples and records the provenance.
     *
     * @throws IOException If either resource cannot be read.
     */
    private void load() throws IOException {
        byte[] storedImages = IDXReader.readResource(imagesLocation);
        byte[] storedLabels = IDXReader.readResource(labelsLocation);
        IDXReader.Images images = IDXReader.parseImages(imagesLocation, storedImages);
        byte[] labels = IDXReader.parseLabels(labelsLocation, storedLabels);
        if (images.count() != labels.length) {
            throw new IllegalStateException("Image file '" + imagesLocation + "' has " + images.count()
                    + " images but label file '" + labelsLocation + "' has " + labels.length + " labels, expected equal counts");
        }
        rows = images.rows();
        cols = images.cols();
        data.clear();
        selectExamples(images, labels);
        if (data.isEmpty()) {
            throw new IllegalStateException("No examples left from '" + imagesLocation + "' (" + images.count()
                    + " images) after filtering with keepClasses=" + keepClasses + " and maxPerClass=" + maxPerClass);
        }
        provenance = new IDXImageDataSourceProvenance(this, sha256(storedImages), sha256(storedLabels), data.size());
        logger.fine(() -> "Loaded " + data.size() + " of " + images.count() + " " + rows + "x" + cols + " images from '" + imagesLocation + "'");
    }

    /**
     * Converts the images which pass the filters into examples, in file order.
     *
     * @param images The images.
     * @param labels The raw labels, one per image.
     */
    private void selectExamples(IDXReader.Images images, byte[] labels) {
        int numPixels = images.pixelsPerImage();
        String[] featureNames = new String[numPixels];
        for (int p = 0; p < numPixels; p++) {
            featureNames[p] = featureName(p, numPixels);
        }
        Set<Integer> keep = new HashSet<>(keepClasses);
        int[] kept = new int[NUM_BYTE_VALUES];
        Label[] labelCache = new Label[NUM_BYTE_VALUES];
        byte[] pixels = images.pixels();
        for (int i = 0; i < labels.length; i++) {
            int raw = labels[i] & 0xFF;
            if ((!keep.isEmpty() && !keep.contains(raw)) || (maxPerClass > 0 && kept[raw] >= maxPerClass)) {
                continue;
            }
            if (labelCache[raw] == null) {
                labelCache[raw] = outputFactory.generateOutput(className(raw, i));
            }
            double[] values = new double[numPixels];
            int offset = i * numPixels;
            for (int p = 0; p < numPixels; p++) {
                values[p] = (pixels[offset + p] & 0xFF) / 255.0;
            }
            data.add(new ArrayExample<>(labelCache[raw], featureNames, values));
            kept[raw]++;
        }
    }

    /**
     * The class name of a raw label value.
     *
     * @param raw   The label value.
     * @param index The example index, for the error message.
     * @return The class name.
     */
    private String className(int raw, int index) {
        if (classNames.isEmpty()) {
            return Integer.toString(raw);
        }
        if (raw >= classNames.size()) {
            throw new IllegalStateException("Label " + raw + " of example " + index + " in '" + labelsLocation
                    + "' has no class name, expected a label below " + classNames.size() + " (the size of classNames)");
        }
        return classNames.get(raw);
    }

    /**
     * The SHA-256 hex digest of some bytes.
     *
     * @param bytes The bytes.
     * @return The upper case hex digest.
     */
    private static String sha256(byte[] bytes) {
        return ProvenanceUtil.hashArray(ObjectProvenance.DEFAULT_HASH_TYPE, bytes);
    }

    /**
     * The name of pixel {@code index} in an image of {@code numPixels} pixels: "px" followed by the index,
     * zero padded to the number of digits in {@code numPixels - 1}, so names sort in pixel order.
     *
     * @param index     The pixel index, in row-major order.
     * @param numPixels The number of pixels in an image.
     * @return The feature name.
     */
    public static String featureName(int index, int numPixels) {
        if (numPixels < 1) {
            throw new IllegalArgumentException("numPixels is " + numPixels + ", expected a positive count");
        }
        if (index < 0 || index >= numPixels) {
            throw new IllegalArgumentException("Pixel index " + index + " is out of range, expected 0 to " + (numPixels - 1));
        }
        int width = Integer.toString(numPixels - 1).length();
        String digits = Integer.toString(index);
        return FEATURE_PREFIX + "0".repeat(width - digits.length()) + digits;
    }

    /**
     * The number of pixel rows in each image.
     *
     * @return The image height.
     */
    public int rows() {
        return rows;
    }

    /**
     * The number of pixel columns in each image.
     *
     * @return The image width.
     */
    public int cols() {
        return cols;
    }

    /**
     * The number of examples loaded, after filtering.
     *
     * @return The number of examples.
     */
    public int numExamples() {
        return data.size();
    }

    @Override
    public OutputFactory<Label> getOutputFactory() {
        return outputFactory;
    }

    @Override
    public IDXImageDataSourceProvenance getProvenance() {
        return provenance;
    }

    @Override
    public Iterator<Example<Label>> iterator() {
        return Collections.unmodifiableList(data).iterator();
    }

    @Override
    public String toString() {
        return "IDXImageDataSource(imagesLocation=" + imagesLocation + ",labelsLocation=" + labelsLocation
                + ",classNames=" + classNames + ",keepClasses=" + keepClasses + ",maxPerClass=" + maxPerClass
                + ",rows=" + rows + ",cols=" + cols + ",numExamples=" + data.size() + ")";
    }
}
