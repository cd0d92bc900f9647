package org.tribuoadapt.core.data;

import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.config.ConfigurationData;
import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.test.Helpers;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tests loading, filtering, naming and provenance of {@link IDXImageDataSource}.
 */
public class IDXImageDataSourceTest {

    private static final int ROWS = 2;
    private static final int COLS = 2;
    /**
     * Six 2x2 images; image i is {0, i+1, 255, 17*i}, so pixel 0 is always zero.
     */
    private static final int[] PIXELS = {
            0, 1, 255, 0,
            0, 2, 255, 17,
            0, 3, 255, 34,
            0, 4, 255, 51,
            0, 5, 255, 68,
            0, 6, 255, 85};
    private static final int[] LABELS = {2, 0, 1, 2, 0, 2};

    private static final String TINY_IMAGES = "classpath:org/tribuoadapt/core/data/tiny-images-idx3-ubyte.gz";
    private static final String TINY_LABELS = "classpath:org/tribuoadapt/core/data/tiny-labels-idx1-ubyte.gz";

    private static final Path FASHION_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    @TempDir
    Path dir;

    private IDXImageDataSource load(boolean gzipImages, boolean gzipLabels, List<String> classNames,
                                    List<Integer> keepClasses, int maxPerClass) throws IOException {
        Path images = IDXTestFiles.images(dir.resolve("images"), gzipImages, ROWS, COLS, PIXELS);
        Path labels = IDXTestFiles.labels(dir.resolve("labels"), gzipLabels, LABELS);
        return new IDXImageDataSource(images.toString(), labels.toString(), classNames, keepClasses, maxPerClass);
    }

    private IDXImageDataSource loadAll(boolean gzip) throws IOException {
        return load(gzip, gzip, List.of(), List.of(), 0);
    }

    private static List<String> labelNames(IDXImageDataSource source) {
        List<String> names = new ArrayList<>();
        for (Example<Label> example : source) {
            names.add(example.getOutput().getLabel());
        }
        return names;
    }

    /**
     * The value of pixel 1 of each example, which identifies the source image (it is image index + 1).
     */
    private static List<Integer> imageIds(IDXImageDataSource source) {
        List<Integer> ids = new ArrayList<>();
        for (Example<Label> example : source) {
            ids.add((int) Math.round(example.lookup("px1").getValue() * 255));
        }
        return ids;
    }

    /**
     * The SHA-256 of a file, as upper case hex like OLCUT's hash provenance.
     */
    private static String sha256(Path path) throws IOException, NoSuchAlgorithmException {
        return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(path)));
    }

    @Test
    public void rawFilesGiveDenseScaledExamples() throws IOException {
        IDXImageDataSource source = loadAll(false);
        assertEquals(6, source.numExamples());
        assertEquals(ROWS, source.rows());
        assertEquals(COLS, source.cols());
        assertInstanceOf(LabelFactory.class, source.getOutputFactory());
        assertEquals(List.of("2", "0", "1", "2", "0", "2"), labelNames(source));

        int i = 0;
        for (Example<Label> example : source) {
            assertEquals(ROWS * COLS, example.size(), "zero pixels must be kept");
            int p = 0;
            for (Feature feature : example) {
                assertEquals("px" + p, feature.getName());
                assertEquals(PIXELS[i * 4 + p] / 255.0, feature.getValue(), 1e-12);
                p++;
            }
            assertEquals(1.0f, example.getWeight());
            i++;
        }
        assertEquals(6, i);
    }

    @Test
    public void gzippedAndRawFilesGiveTheSameExamples() throws IOException {
        IDXImageDataSource raw = loadAll(false);
        List<Example<Label>> rawExamples = new ArrayList<>();
        raw.forEach(rawExamples::add);
        boolean[][] combinations = {{true, true}, {true, false}, {false, true}};
        for (boolean[] gzip : combinations) {
            IDXImageDataSource other = load(gzip[0], gzip[1], List.of(), List.of(), 0);
            Iterator<Example<Label>> it = other.iterator();
            for (Example<Label> expected : rawExamples) {
                Example<Label> actual = it.next();
                assertEquals(expected.getOutput(), actual.getOutput());
                for (Feature f : expected) {
                    assertEquals(f.getValue(), actual.lookup(f.getName()).getValue());
                }
            }
            assertFalse(it.hasNext());
        }
    }

    @Test
    public void featureNamesArePaddedToSortInPixelOrder() {
        assertEquals("px000", IDXImageDataSource.featureName(0, 784));
        assertEquals("px042", IDXImageDataSource.featureName(42, 784));
        assertEquals("px783", IDXImageDataSource.featureName(783, 784));
        assertEquals("px0", IDXImageDataSource.featureName(0, 1));
        assertEquals("px9", IDXImageDataSource.featureName(9, 10));
        assertEquals("px10", IDXImageDataSource.featureName(10, 11));
        assertEquals("px0999", IDXImageDataSource.featureName(999, 1001));
        for (int numPixels : new int[]{10, 11, 100, 101, 784, 1000, 1001}) {
            List<String> names = new ArrayList<>();
            for (int p = 0; p < numPixels; p++) {
                names.add(IDXImageDataSource.featureName(p, numPixels));
            }
            assertEquals(names, names.stream().sorted().collect(Collectors.toList()), "numPixels=" + numPixels);
        }
        assertThrows(IllegalArgumentException.class, () -> IDXImageDataSource.featureName(784, 784));
        assertThrows(IllegalArgumentException.class, () -> IDXImageDataSource.featureName(-1, 784));
        assertThrows(IllegalArgumentException.class, () -> IDXImageDataSource.featureName(0, 0));
    }

    @Test
    public void classNamesReplaceLabelValues() throws IOException {
        IDXImageDataSource source = load(true, true, List.of("shirt", "coat", "bag"), List.of(), 0);
        assertEquals(List.of("bag", "shirt", "coat", "bag", "shirt", "bag"), labelNames(source));
    }

    @Test
    public void labelWithoutClassNameIsAnError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> load(true, true, List.of("shirt", "coat"), List.of(), 0));
        assertTrue(e.getMessage().contains("Label 2 of example 0"), e.getMessage());
        assertTrue(e.getMessage().contains("expected a label below 2"), e.getMessage());
    }

    @Test
    public void classNamesOnlyNeedToCoverKeptClasses() throws IOException {
        IDXImageDataSource source = load(true, true, List.of("shirt", "coat"), List.of(0, 1), 0);
        assertEquals(List.of("shirt", "coat", "shirt"), labelNames(source));
    }

    @Test
    public void keepClassesFiltersInFileOrder() throws IOException {
        IDXImageDataSource source = load(true, true, List.of(), List.of(2, 1), 0);
        assertEquals(4, source.numExamples());
        assertEquals(List.of("2", "1", "2", "2"), labelNames(source));
        assertEquals(List.of(1, 3, 4, 6), imageIds(source));
    }

    @Test
    public void maxPerClassKeepsTheFirstExamplesOfEachClass() throws IOException {
        IDXImageDataSource source = load(false, false, List.of(), List.of(), 2);
        assertEquals(List.of("2", "0", "1", "2", "0"), labelNames(source));
        assertEquals(List.of(1, 2, 3, 4, 5), imageIds(source));

        IDXImageDataSource one = load(false, false, List.of(), List.of(2), 1);
        assertEquals(List.of(1), imageIds(one));
    }

    @Test
    public void classpathResourcesLoad() throws IOException {
        IDXImageDataSource source = new IDXImageDataSource(TINY_IMAGES, TINY_LABELS);
        assertEquals(5, source.numExamples());
        assertEquals(2, source.rows());
        assertEquals(3, source.cols());
        assertEquals(List.of("3", "1", "3", "0", "1"), labelNames(source));
        // Tiny resource pixel p of image i is (6 * i + p) * 8.
        int i = 0;
        for (Example<Label> example : source) {
            for (int p = 0; p < 6; p++) {
                assertEquals((6 * i + p) * 8 / 255.0, example.lookup("px" + p).getValue(), 1e-12);
            }
            i++;
        }
        IDXImageDataSource slash = new IDXImageDataSource(TINY_IMAGES.replace("classpath:", "classpath:/"), TINY_LABELS);
        assertEquals(5, slash.numExamples());
    }

    @Test
    public void missingResourcesAreReported() throws IOException {
        Path labels = IDXTestFiles.labels(dir.resolve("labels"), false, LABELS);
        FileNotFoundException file = assertThrows(FileNotFoundException.class,
                () -> new IDXImageDataSource(dir.resolve("absent").toString(), labels.toString()));
        assertTrue(file.getMessage().contains("absent"), file.getMessage());
        FileNotFoundException resource = assertThrows(FileNotFoundException.class,
                () -> new IDXImageDataSource("classpath:no/such/images.gz", labels.toString()));
        assertTrue(resource.getMessage().contains("no/such/images.gz"), resource.getMessage());
    }

    @Test
    public void countMismatchNamesBothCounts() throws IOException {
        Path images = IDXTestFiles.images(dir.resolve("images"), true, ROWS, COLS, PIXELS);
        Path labels = IDXTestFiles.labels(dir.resolve("labels"), true, 1, 2, 3, 4, 5);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new IDXImageDataSource(images.toString(), labels.toString()));
        assertTrue(e.getMessage().contains("has 6 images"), e.getMessage());
        assertTrue(e.getMessage().contains("has 5 labels"), e.getMessage());
    }

    @Test
    public void emptySelectionIsAnError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> load(true, true, List.of(), List.of(7), 0));
        assertTrue(e.getMessage().contains("No examples left"), e.getMessage());
        assertTrue(e.getMessage().contains("keepClasses=[7]"), e.getMessage());
    }

    @Test
    public void invalidConfigurationIsRejected() {
                assertConfigError("maxPerClass", () -> load(true, true, List.of(), List.of(), -2));
        assertConfigError("keepClasses", () -> load(true, true, List.of(), List.of(256), 0));
        assertConfigError("keepClasses", () -> load(true, true, List.of(), List.of(-1), 0));
        assertConfigError("keepClasses", () -> load(true, true, List.of("a", "b"), List.of(2), 0));
        assertConfigError("classNames", () -> load(true, true, List.of("a", " ", "c"), List.of(), 0));
        assertConfigError("classNames", () -> load(true, true, List.of("a", "b", "a"), List.of(), 0));
        assertConfigError("imagesLocation", () -> new IDXImageDataSource(null, "labels"));
        assertConfigError("labelsLocation", () -> new IDXImageDataSource("images", " "));
    }

    private static void assertConfigError(String field, Executable executable) {
        PropertyException e = assertThrows(PropertyException.class, executable);
        assertEquals(field, e.getProperty());
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }

    @Test
    public void provenanceRecordsHashesAndCount() throws IOException, NoSuchAlgorithmException {
        IDXImageDataSource source = load(true, false, List.of(), List.of(0, 2), 2);
        IDXImageDataSourceProvenance provenance = source.getProvenance();
        assertEquals(sha256(dir.resolve("images")), provenance.getImagesHash());
        assertEquals(sha256(dir.resolve("labels")), provenance.getLabelsHash());
        assertEquals(4, provenance.getNumExamples());
        assertNotNull(provenance.getCreationTime());
        assertEquals(IDXImageDataSource.class.getName(), provenance.getClassName());
        assertTrue(provenance.getConfiguredParameters().containsKey("keepClasses"));
        assertTrue(provenance.getConfiguredParameters().containsKey("maxPerClass"));
    }

    @Test
    public void classpathProvenanceHashesTheCompressedResource() throws IOException, NoSuchAlgorithmException {
        IDXImageDataSource source = new IDXImageDataSource(TINY_IMAGES, TINY_LABELS);
        Path images = Path.of("src/test/resources/org/tribuoadapt/core/data/tiny-images-idx3-ubyte.gz");
        assertEquals(sha256(images), source.getProvenance().getImagesHash());
    }

    @Test
    public void configurationAndProvenanceRoundTrip() throws IOException {
        List<IDXImageDataSource> sources = List.of(
                load(true, true, List.of("shirt", "coat", "bag"), List.of(0, 2), 1),
                load(false, true, List.of(), List.of(), 3),
                new IDXImageDataSource(TINY_IMAGES, TINY_LABELS, List.of(), List.of(1, 3), 5));
        for (IDXImageDataSource source : sources) {
            assertConfigurableRoundtrip(source);
            Helpers.testProvenanceMarshalling(source.getProvenance());
        }
    }

    /**
     * Sources with the default configuration rebuild from their provenance with the same configuration and
     * examples (the path reproduction takes).
     */
    @Test
    public void defaultConfigurationRebuildsFromProvenance() throws IOException {
        List<IDXImageDataSource> sources = List.of(
                loadAll(true),
                load(true, true, List.of("shirt", "coat", "bag"), List.of(2), 0),
                new IDXImageDataSource(TINY_IMAGES, TINY_LABELS));
        for (IDXImageDataSource source : sources) {
            assertConfigurableRoundtrip(source);
            Helpers.testProvenanceMarshalling(source.getProvenance());
            List<ConfigurationData> configuration = ProvenanceUtil.extractConfiguration(source.getProvenance());
            ConfigurationManager cm = new ConfigurationManager();
            cm.addConfiguration(configuration);
            IDXImageDataSource rebuilt = (IDXImageDataSource) cm.lookup(configuration.get(0).getName());
            assertEquals(source.toString(), rebuilt.toString());
            assertEquals(source.getProvenance().getConfiguredParameters(), rebuilt.getProvenance().getConfiguredParameters());
            assertEquals(source.getProvenance().getImagesHash(), rebuilt.getProvenance().getImagesHash());
            assertEquals(labelNames(source), labelNames(rebuilt));
        }
    }

    /**
     * Runs {@link Helpers#testConfigurableRoundtrip} on a data source. {@code DataSource} is
     * {@code Provenancable<DataSourceProvenance>}, which does not satisfy the helper's bound on a configured
     * provenance although the provenance returned is one, hence the unchecked cast.
     */
    @SuppressWarnings("unchecked")
    private static void assertConfigurableRoundtrip(IDXImageDataSource source) {
        Helpers.testConfigurableRoundtrip((Configurable & Provenancable<ConfiguredObjectProvenance>) (Object) source);
    }

    @Test
    public void configurationManagerBuildsTheSource() throws IOException {
        Path images = IDXTestFiles.images(dir.resolve("images.gz"), true, ROWS, COLS, PIXELS);
        Path labels = IDXTestFiles.labels(dir.resolve("labels.gz"), true, LABELS);
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<config>\n"
                + "  <component name=\"source\" type=\"" + IDXImageDataSource.class.getName() + "\">\n"
                + "    <property name=\"imagesLocation\" value=\"" + images + "\"/>\n"
                + "    <property name=\"labelsLocation\" value=\"" + labels + "\"/>\n"
                + "    <propertylist name=\"classNames\"><item>shirt</item><item>coat</item><item>bag</item></propertylist>\n"
                + "    <propertylist name=\"keepClasses\"><item>0</item><item>2</item></propertylist>\n"
                + "    <property name=\"maxPerClass\" value=\"2\"/>\n"
                + "  </component>\n</config>\n";
        Path config = Files.writeString(dir.resolve("config.xml"), xml);
        ConfigurationManager cm = new ConfigurationManager(config.toString());
        IDXImageDataSource source = (IDXImageDataSource) cm.lookup("source");
        assertEquals(List.of("bag", "shirt", "bag", "shirt"), labelNames(source));
        assertEquals(List.of(1, 2, 4, 5), imageIds(source));
    }

    @Test
    public void datasetFeatureMapHasEveryPixel() throws IOException {
        IDXImageDataSource source = loadAll(true);
        MutableDataset<Label> dataset = new MutableDataset<>(source);
        assertEquals(6, dataset.size());
        ImmutableFeatureMap featureMap = new ImmutableFeatureMap(dataset.getFeatureMap());
        assertEquals(ROWS * COLS, featureMap.size());
        for (int p = 0; p < ROWS * COLS; p++) {
            assertEquals(p, featureMap.getID(IDXImageDataSource.featureName(p, ROWS * COLS)));
        }
        assertEquals(Map.of("0", 2L, "1", 1L, "2", 3L), countsOf(dataset));
    }

    private static Map<String, Long> countsOf(MutableDataset<Label> dataset) {
        Map<String, Long> counts = new LinkedHashMap<>();
        dataset.getOutputInfo().outputCountsIterable().forEach(p -> counts.put(p.getA(), p.getB()));
        return counts;
    }

    @Test
    public void toStringNamesTheConfiguration() throws IOException {
        IDXImageDataSource source = new IDXImageDataSource(TINY_IMAGES, TINY_LABELS);
        String description = source.toString();
        assertTrue(description.startsWith("IDXImageDataSource("), description);
        assertTrue(description.contains("imagesLocation=" + TINY_IMAGES), description);
        assertTrue(description.contains("numExamples=5"), description);
    }

    @Test
    public void realFashionMnistTestSetLoads() throws IOException {
        Path labels = FASHION_DIR.resolve("t10k-labels-idx1-ubyte.gz");
        Assumptions.assumeTrue(Files.exists(FASHION_DIR.resolve("train-labels-idx1-ubyte.gz")) && Files.exists(labels),
                "Fashion-MNIST is not installed in " + FASHION_DIR);
        IDXImageDataSource source = new IDXImageDataSource(
                FASHION_DIR.resolve("t10k-images-idx3-ubyte.gz").toString(), labels.toString());
        assertEquals(10_000, source.numExamples());
        assertEquals(28, source.rows());
        assertEquals(28, source.cols());
        Example<Label> first = source.iterator().next();
        assertEquals(784, first.size());
        assertEquals("px783", IDXImageDataSource.featureName(783, 784));
        assertNotNull(first.lookup("px783"));
    }
}
