package org.tribuoadapt.core.data;

import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Example;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tests the spurious background attribute of {@link SpuriousBackgroundDataSource}: its agreement rate with the
 * labels, the pixels it changes, determinism, configuration and provenance.
 */
public class SpuriousBackgroundDataSourceTest {

    private static final int IMAGES = 2000;
    private static final int CLASSES = 4;

    @TempDir
    Path dir;

    /** 2x2 images {0, 200, 0, 100}: pixels 0 and 2 are background; labels cycle through 0..3. */
    private IDXImageDataSource source() throws IOException {
        int[] pixels = new int[IMAGES * 4];
        int[] labels = new int[IMAGES];
        for (int i = 0; i < IMAGES; i++) {
            pixels[4 * i + 1] = 200;
            pixels[4 * i + 3] = 100;
            labels[i] = i % CLASSES;
        }
        Path images = IDXTestFiles.images(dir.resolve("images.gz"), true, 2, 2, pixels);
        Path labelFile = IDXTestFiles.labels(dir.resolve("labels.gz"), true, labels);
        return new IDXImageDataSource(images.toString(), labelFile.toString());
    }

    @Test
    public void backgroundNamesTheClassWithTheConfiguredProbability() throws IOException {
        SpuriousBackgroundDataSource data = new SpuriousBackgroundDataSource(source(), 0.8, 0.5, 0.0, 3);
        assertEquals(List.of("0", "1", "2", "3"), data.classOrder());
        int agree = 0;
        int[][] counts = new int[CLASSES][CLASSES];
        int i = 0;
        for (Example<Label> e : data) {
            int own = Integer.parseInt(e.getOutput().getLabel());
            int attribute = data.attributes().get(i++);
            agree += attribute == own ? 1 : 0;
            counts[own][attribute]++;
        }
        // Binomial(2000, 0.8): standard deviation 0.009, the bound is over 3 of them
        assertEquals(0.8, (double) agree / IMAGES, 0.03);
        for (int own = 0; own < CLASSES; own++) {
            for (int other = 0; other < CLASSES; other++) {
                if (other != own) {
                    // each of the 3 other classes gets a third of the 20% that disagree: 33 of 500 expected
                    assertTrue(counts[own][other] > 15 && counts[own][other] < 55, own + " " + other + " " + counts[own][other]);
                }
            }
        }
    }

    @Test
    public void antiCorrelatedNeverAndFullyCorrelatedAlwaysAgree() throws IOException {
        IDXImageDataSource images = source();
        SpuriousBackgroundDataSource anti = new SpuriousBackgroundDataSource(images, 0.0, 0.5, 0.0, 3);
        SpuriousBackgroundDataSource full = new SpuriousBackgroundDataSource(images, 1.0, 0.5, 0.0, 3);
        int i = 0;
        for (Example<Label> e : images) {
            int own = Integer.parseInt(e.getOutput().getLabel());
            assertNotEquals(own, anti.attributes().get(i));
            assertEquals(own, full.attributes().get(i));
            i++;
        }
    }

    @Test
    public void onlyBackgroundPixelsTakeTheAttributesLevel() throws IOException {
        SpuriousBackgroundDataSource data = new SpuriousBackgroundDataSource(source(), 0.5, 0.6, 0.0, 5);
        int i = 0;
        for (Example<Label> e : data) {
            double level = 0.6 * (data.attributes().get(i++) + 1) / CLASSES;
            assertEquals(level, e.lookup("px0").getValue(), 1e-12);
            assertEquals(level, e.lookup("px2").getValue(), 1e-12);
            assertEquals(200 / 255.0, e.lookup("px1").getValue(), 1e-12);
            assertEquals(100 / 255.0, e.lookup("px3").getValue(), 1e-12);
        }
        assertEquals(0.15, SpuriousBackgroundDataSource.backgroundLevel(0, CLASSES, 0.6), 1e-12);
        assertEquals(0.6, SpuriousBackgroundDataSource.backgroundLevel(CLASSES - 1, CLASSES, 0.6), 1e-12);
    }

    @Test
    public void sameSeedSameImages() throws IOException {
        IDXImageDataSource images = source();
        SpuriousBackgroundDataSource first = new SpuriousBackgroundDataSource(images, 0.7, 0.5, 0.0, 11);
        SpuriousBackgroundDataSource again = new SpuriousBackgroundDataSource(images, 0.7, 0.5, 0.0, 11);
        SpuriousBackgroundDataSource other = new SpuriousBackgroundDataSource(images, 0.7, 0.5, 0.0, 12);
        assertEquals(first.attributes(), again.attributes());
        assertEquals(pixels(first), pixels(again));
        assertNotEquals(first.attributes(), other.attributes());
    }

    @Test
    @SuppressWarnings("unchecked")
    public void configurationAndProvenanceRoundTrip() throws IOException {
        SpuriousBackgroundDataSource data = new SpuriousBackgroundDataSource(source(), 0.9, 0.5, 0.01, 2);
        Helpers.testConfigurableRoundtrip((Configurable & Provenancable<ConfiguredObjectProvenance>) (Object) data);
        Helpers.testProvenanceMarshalling(data.getProvenance());
        assertEquals(IMAGES, data.getProvenance().getInstanceValues().get(
                SpuriousBackgroundDataSourceProvenance.NUM_EXAMPLES).getValue());
    }

    @Test
    public void rejectsImpossibleSettings() throws IOException {
        IDXImageDataSource images = source();
        assertThrows(PropertyException.class, () -> new SpuriousBackgroundDataSource(images, 1.1, 0.5, 0.0, 1));
        assertThrows(PropertyException.class, () -> new SpuriousBackgroundDataSource(images, Double.NaN, 0.5, 0.0, 1));
        assertThrows(PropertyException.class, () -> new SpuriousBackgroundDataSource(images, 0.5, 0.0, 0.0, 1));
        assertThrows(PropertyException.class, () -> new SpuriousBackgroundDataSource(images, 0.5, 1.5, 0.0, 1));
        assertThrows(PropertyException.class, () -> new SpuriousBackgroundDataSource(images, 0.5, 0.5, 1.0, 1));
        assertThrows(PropertyException.class, () -> new SpuriousBackgroundDataSource(null, 0.5, 0.5, 0.0, 1));
        IDXImageDataSource oneClass = new IDXImageDataSource(dir.resolve("images.gz").toString(),
                dir.resolve("labels.gz").toString(), List.of(), List.of(0), 0);
        assertThrows(IllegalArgumentException.class, () -> new SpuriousBackgroundDataSource(oneClass, 0.5, 0.5, 0.0, 1));
    }

    private static List<Double> pixels(SpuriousBackgroundDataSource data) {
        List<Double> out = new ArrayList<>();
        for (Example<Label> e : data) {
            e.forEach(f -> out.add(f.getValue()));
        }
        return out;
    }
}
