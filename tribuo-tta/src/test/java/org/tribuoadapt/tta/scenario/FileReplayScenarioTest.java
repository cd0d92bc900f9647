package org.tribuoadapt.tta.scenario;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.data.IDXImageDataSource;
import org.tribuoadapt.core.data.IDXImageDataSourceProvenance;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.tta.testing.TtaFixtures;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class FileReplayScenarioTest {

    private static final int S = TtaFixtures.SIZE;

    /** Writes one domain as IDX: the synthetic test images brightened by {@code shift}, labels c0.. as 0.. */
    private static Path[] idxDomain(Path dir, String name, int examples, float shift) throws IOException {
        MutableDataset<Label> data = TtaFixtures.test(examples);
        List<float[]> images = new ArrayList<>();
        int[] labels = new int[data.size()];
        int i = 0;
        for (Example<Label> e : data) {
            float[] pixels = new float[S * S];
            int p = 0;
            for (Feature f : e) {
                pixels[p++] = (float) Math.min(1, f.getValue() + shift);
            }
            images.add(pixels);
            labels[i++] = Integer.parseInt(e.getOutput().getLabel().substring(1));
        }
        TtaFixtures.writeIdx(dir, name, images, labels);
        return new Path[] {dir.resolve(name + "-images-idx3-ubyte.gz"), dir.resolve(name + "-labels-idx1-ubyte.gz")};
    }

    @Test
    public void replaysIdxDomainsInOrderWithTheirHashes(@TempDir Path dir) throws IOException {
        Path[] a = idxDomain(dir, "a", 12, 0f);
        Path[] b = idxDomain(dir, "b", 9, 0.3f);
        List<IDXImageDataSource> sources = List.of(
                new IDXImageDataSource(a[0].toString(), a[1].toString(), List.of("c0", "c1", "c2"), List.of(), 100),
                new IDXImageDataSource(b[0].toString(), b[1].toString(), List.of("c0", "c1", "c2"), List.of(), 100));
        FileReplayScenario scenario = new FileReplayScenario(sources, List.of("clean", "bright"), List.of(0, 3),
                StreamMode.CONTINUAL, 5, 0.0, 0, 2L);
        NetworkModel model = TtaFixtures.cnn();
        TtaStream stream = scenario.open(null, model.getFeatureIDMap(), model.getOutputIDInfo());
        assertEquals(21, stream.size());
        assertEquals("clean", stream.domains().get(0).name());
        assertEquals(3, stream.domains().get(1).severity());
        assertEquals(FileReplayScenario.FILE_SHIFT, stream.domains().get(1).shift());
        // batches do not span domains: 12 = 5 + 5 + 2, 9 = 5 + 4
        assertEquals(5, stream.numBatches());
        assertEquals(2, stream.sources().size());
        assertTrue(stream.sources().get(0) instanceof IDXImageDataSourceProvenance, stream.sources().get(0).getClass().getName());
        // (IDXImageDataSource's default maxPerClass of -1 would trip OLCUT 5.3.1's negative-number round-trip bug)
        Helpers.testConfigurableRoundtrip(scenario);
    }

    @Test
    public void replaysCsvFilesNamedByTheModelsFeatures(@TempDir Path dir) throws IOException {
        NetworkModel model = TtaFixtures.cnn();
        MutableDataset<Label> data = TtaFixtures.test(6);
        List<String> lines = new ArrayList<>();
        StringBuilder header = new StringBuilder("label");
        for (int i = 0; i < S * S; i++) {
            header.append(',').append(model.getFeatureIDMap().get(i).getName());
        }
        lines.add(header.toString());
        List<float[]> expected = new ArrayList<>();
        for (Example<Label> e : data) {
            StringBuilder row = new StringBuilder(e.getOutput().getLabel());
            float[] values = new float[S * S];
            int p = 0;
            for (Feature f : e) {
                row.append(',').append((float) f.getValue());
                values[p++] = (float) f.getValue();
            }
            expected.add(values);
            lines.add(row.toString());
        }
        Path csv = dir.resolve("domain.csv");
        Files.write(csv, lines, StandardCharsets.UTF_8);
        FileReplayScenario scenario = FileReplayScenario.fromCsv(List.of(csv), "label", List.of(), List.of(),
                StreamMode.RESET, 6, 1L);
        TtaStream stream = scenario.open(null, model.getFeatureIDMap(), model.getOutputIDInfo());
        assertEquals("domain-1", stream.domains().get(0).name());
        StreamBatch batch = stream.batch(0);
        List<float[]> seen = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            seen.add(java.util.Arrays.copyOfRange(batch.features(), i * S * S, (i + 1) * S * S));
        }
        // the stream shuffles, so compare as sets of rows
        for (float[] row : expected) {
            assertTrue(seen.stream().anyMatch(r -> java.util.Arrays.equals(r, row)), "a CSV row was not replayed");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FileReplayScenario.fromCsv(
                List.of(csv), "class", List.of(), List.of(), StreamMode.RESET, 6, 1L));
        assertTrue(e.getMessage().contains("has no label column 'class'"), e.getMessage());
    }

    @Test
    public void mismatchedSettingsAreRejected(@TempDir Path dir) throws IOException {
        Path[] a = idxDomain(dir, "a", 6, 0f);
        IDXImageDataSource source = new IDXImageDataSource(a[0].toString(), a[1].toString());
        PropertyException e = assertThrows(PropertyException.class, () -> new FileReplayScenario(List.of(source),
                List.of("x", "y"), List.of(), StreamMode.RESET, 4, 0, 0, 1L));
        assertTrue(e.getMessage().contains("1 domains need as many names, found 2"), e.getMessage());
        e = assertThrows(PropertyException.class, () -> new FileReplayScenario(List.of(source), List.of(), List.of(7),
                StreamMode.RESET, 4, 0, 0, 1L));
        assertTrue(e.getMessage().contains("severity 7 is outside 1-5"), e.getMessage());
        // labels "0", "1", "2" are unknown to a model trained on "c0", "c1", "c2"
        FileReplayScenario unknownLabels = new FileReplayScenario(List.of(source), List.of(), List.of(),
                StreamMode.RESET, 4, 0, 0, 1L);
        NetworkModel model = TtaFixtures.cnn();
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> unknownLabels.open(null, model.getFeatureIDMap(), model.getOutputIDInfo()));
        assertTrue(bad.getMessage().contains("which is not one of the known labels"), bad.getMessage());
        assertArrayEquals(new int[0], new int[0]);
    }
}
