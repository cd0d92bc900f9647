package org.tribuoadapt.peft.atlas;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.safetensors.SafetensorsWriter;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.peft.AdapterContract;
import org.tribuoadapt.peft.AdapterFiles;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.ExportedAdapter;
import org.tribuoadapt.peft.LoadedAdapter;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.SingleLayerNetworks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tribuoadapt.peft.AdapterContract.CNN;
import static org.tribuoadapt.peft.AdapterContract.CNN_OUTPUTS;
import static org.tribuoadapt.peft.AdapterContract.MLP;
import static org.tribuoadapt.peft.AdapterContract.MLP_OUTPUTS;
import static org.tribuoadapt.peft.SingleLayerNetworks.tensor;

public class AtlasSpecTest {

    private static final AdapterTargets CNN_BLOCKS = AdapterTargets.pattern("conv\\d|bn\\d|fc1");

    private static Path write(Path file, Map<String, TensorData> tensors) throws IOException {
        SafetensorsWriter.write(file, tensors, Map.of());
        return file;
    }

    /** Weights of networks "fine-tuned" from the base: networks of the same architecture with other seeds. */
    private static List<Path> fineTuned(Path dir, NetworkSpec net, int outputs, int count) throws IOException {
        List<Path> files = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            try (Network other = net.build(outputs, 100L + t)) {
                files.add(write(dir.resolve("task" + t + ".safetensors"), other.stateDict()));
            }
        }
        return files;
    }

    @Test
    public void combinesTaskVectorsBlockByBlock(@TempDir Path dir) throws IOException {
        // base W0 = I, b0 = 0; task 1: W = [[2, 0], [0, 1]], b = [1, 0]; task 2: W = [[1, 1], [0, 1]], b = [0, 2]
        Path one = write(dir.resolve("one.safetensors"), Map.of("fc.weight", TensorData.ofFloats(new long[] {2, 2},
                new float[] {2, 0, 0, 1}), "fc.bias", TensorData.ofFloats(new long[] {2}, new float[] {1, 0})));
        Path two = write(dir.resolve("two.safetensors"), Map.of("fc.weight", TensorData.ofFloats(new long[] {2, 2},
                new float[] {1, 1, 0, 1}), "fc.bias", TensorData.ofFloats(new long[] {2}, new float[] {0, 2})));
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[] {1, 0, 0, 1}, new float[2]))) {
            peft.addAdapter("a", new AtlasSpec(AdapterTargets.modules("fc"), List.of(one, two)), 2, 1L);
            peft.setActiveAdapters(List.of("a"));
            float[] x = {1, 1};
            assertArrayEquals(x, AdapterContract.forward(peft.network(), x, 1), 1e-6f, "coefficients start at zero");
            Map<String, TensorData> tensors = new LinkedHashMap<>(peft.adapterTensors("a"));
            assertArrayEquals(new float[] {1, 0, 0, 0, 0, 1, 0, 0},
                    tensors.get("base_model.model.fc.atlas_task_vectors.weight").toFloatArray());
            // lambda = [[0.5, 2], [1, 0]] (task by block): dW = 0.5 tau1 + tau2 = [[0.5, 1], [0, 0]], db = 2 [1, 0]
            Map.Entry<String, TensorData> coefficients = tensor("atlas_coefficients", new long[] {2, 2}, 0.5f, 2, 1, 0);
            tensors.put(coefficients.getKey(), coefficients.getValue());
            peft.loadAdapterTensors("a", tensors);
            assertArrayEquals(new float[] {4.5f, 1}, AdapterContract.forward(peft.network(), x, 1), 1e-6f);
        }
    }

    @Test
    public void partitionsGiveEachEntryTheCoefficientOfItsPartition(@TempDir Path dir) throws IOException {
        // as above: tau1 = ([[1, 0], [0, 0]], [1, 0]), tau2 = ([[0, 1], [0, 0]], [0, 2]), now with K = 2 partitions
        Path one = write(dir.resolve("one.safetensors"), Map.of("fc.weight", TensorData.ofFloats(new long[] {2, 2},
                new float[] {2, 0, 0, 1}), "fc.bias", TensorData.ofFloats(new long[] {2}, new float[] {1, 0})));
        Path two = write(dir.resolve("two.safetensors"), Map.of("fc.weight", TensorData.ofFloats(new long[] {2, 2},
                new float[] {1, 1, 0, 1}), "fc.bias", TensorData.ofFloats(new long[] {2}, new float[] {0, 2})));
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[] {1, 0, 0, 1}, new float[2]))) {
            peft.addAdapter("a", new AtlasSpec(AdapterTargets.modules("fc"), List.of(one, two), 0, List.of(), 2), 2, 1L);
            peft.setActiveAdapters(List.of("a"));
            float[] x = {1, 1};
            assertArrayEquals(x, AdapterContract.forward(peft.network(), x, 1), 1e-6f, "coefficients start at zero");
            Map<String, TensorData> tensors = new LinkedHashMap<>(peft.adapterTensors("a"));
            for (String block : List.of("weight", "bias")) {
                for (float p : tensors.get("base_model.model.fc.atlas_partitions." + block).toFloatArray()) {
                    assertTrue(p == 0 || p == 1, "partition numbers are 0 or 1, found " + p);
                }
            }
            // weight entries in partitions [0, 1; 1, 0], bias entries in [1, 0]; lambda[task][block][partition]:
            // task 1: weight [0.5, 3], bias [7, 2]; task 2: weight [5, 1], bias [0.25, 4]
            // dW = [[0.5 * 1, 1 * 1], [0, 0]], db = [2 * 1 + 4 * 0, 7 * 0 + 0.25 * 2]
            for (Map.Entry<String, TensorData> e : List.of(
                    tensor("atlas_partitions.weight", new long[] {2, 2}, 0, 1, 1, 0),
                    tensor("atlas_partitions.bias", new long[] {2}, 1, 0),
                    tensor("atlas_coefficients", new long[] {2, 2, 2}, 0.5f, 3, 7, 2, 5, 1, 0.25f, 4))) {
                tensors.put(e.getKey(), e.getValue());
            }
            peft.loadAdapterTensors("a", tensors);
            assertArrayEquals(new float[] {1.5f + 1 + 2, 1 + 0.5f}, AdapterContract.forward(peft.network(), x, 1), 1e-6f);
        }
    }

    @Test
    public void partitionsAreDrawnFromTheSeed(@TempDir Path dir) throws IOException {
        List<Path> files = fineTuned(dir, MLP, MLP_OUTPUTS, 1);
        AtlasSpec spec = new AtlasSpec(AdapterTargets.modules("fc1"), files, 0, List.of(), 4);
        String key = "base_model.model.fc1.atlas_partitions.weight";
        float[] first = partitions(spec, 3L).get(key).toFloatArray();
        assertArrayEquals(first, partitions(spec, 3L).get(key).toFloatArray(), "same seed, same partitions");
        assertFalse(java.util.Arrays.equals(first, partitions(spec, 4L).get(key).toFloatArray()));
        int[] sizes = new int[4];
        for (float p : first) {
            sizes[(int) p]++;
        }
        for (int size : sizes) {
            assertTrue(size > 0, "every partition of the 192 weights is used: " + java.util.Arrays.toString(sizes));
        }
        assertTrue(assertThrows(PropertyException.class, () -> new AtlasSpec(CNN_BLOCKS, files, 0, List.of(), 0))
                .getMessage().contains("partitions must be a positive integer, found 0"));
    }

    private static Map<String, TensorData> partitions(AtlasSpec spec, long seed) {
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            peft.addAdapter("a", spec, MLP_OUTPUTS, seed);
            return peft.adapterTensors("a");
        }
    }

    @Test
    public void parameterCountIsTasksTimesBlocksTimesPartitions(@TempDir Path dir) throws IOException {
        List<Path> files = fineTuned(dir, CNN, CNN_OUTPUTS, 3);
        // conv1, bn1, conv2, bn2 and fc1 each have a weight and a bias block
        assertEquals(3 * 2 * 5, AdapterContract.trainableCount(new AtlasSpec(CNN_BLOCKS, files), CNN, CNN_OUTPUTS));
        assertEquals(3 * 2 * 5 * 4, AdapterContract.trainableCount(new AtlasSpec(CNN_BLOCKS, files, 0, List.of(), 4), CNN,
                CNN_OUTPUTS));
    }

    @Test
    public void mergesExactlyAndOnlyTheCoefficientsTrain(@TempDir Path dir) throws IOException {
        List<Path> files = fineTuned(dir, CNN, CNN_OUTPUTS, 2);
        AdapterContract.assertMergeEqualsUnmerged(new AtlasSpec(CNN_BLOCKS.saving("head"), files), CNN, CNN_OUTPUTS);
        AdapterContract.assertOnlyAdapterTrains(new AtlasSpec(CNN_BLOCKS.saving("head"), files), CNN, CNN_OUTPUTS);
        Helpers.testConfigurableRoundtrip(new AtlasSpec(CNN_BLOCKS, files));
        AtlasSpec partitioned = new AtlasSpec(CNN_BLOCKS.saving("head"), files, 0, List.of(), 3);
        AdapterContract.assertMergeEqualsUnmerged(partitioned, CNN, CNN_OUTPUTS);
        AdapterContract.assertOnlyAdapterTrains(partitioned, CNN, CNN_OUTPUTS);
        Helpers.testConfigurableRoundtrip(partitioned);
    }

    @Test
    public void savedAdaptersCarryTheirTaskVectorsAndNeedNoFile(@TempDir Path dir) throws IOException {
        assertSavedAdapterNeedsNoFile(dir.resolve("blocks"), 1, "");
    }

    @Test
    public void savedPartitionedAdaptersCarryTheirPartitions(@TempDir Path dir) throws IOException {
        // the adapter is loaded with another seed: the saved partitions, not fresh ones, give the same outputs
        assertSavedAdapterNeedsNoFile(dir.resolve("partitions"), 3, ",partitions=3");
    }

    private static void assertSavedAdapterNeedsNoFile(Path dir, int partitions, String described) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = fineTuned(dir, CNN, CNN_OUTPUTS, 2);
        AtlasSpec spec = new AtlasSpec(CNN_BLOCKS, files, 0, List.of(), partitions);
        float[] x = AdapterContract.input(CNN, 3);
        float[] expected;
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(CNN, CNN_OUTPUTS))) {
            peft.addAdapter("a", spec, CNN_OUTPUTS, 1L);
            AdapterContract.randomise(peft, "a", 4L);
            peft.setActiveAdapters(List.of("a"));
            expected = AdapterContract.forward(peft.network(), x, 3);
            ExportedAdapter exported = spec.export(peft.adapterTensors("a"));
            assertEquals("AtlasSpec(targets=AdapterTargets('conv\\d|bn\\d|fc1'),modulesToSave=[],tasks=2,fineTunedWeightsSha256=["
                    + NetworkProvenance.sha256(Files.readAllBytes(files.get(0))) + ", "
                    + NetworkProvenance.sha256(Files.readAllBytes(files.get(1))) + "]" + described + ")", exported.spec().toString());
            AdapterFiles.save(dir.resolve("adapter"), spec, peft.adapterTensors("a"));
        }
        for (Path f : files) {
            Files.delete(f);
        }
        LoadedAdapter loaded = AdapterFiles.load(dir.resolve("adapter"));
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(CNN, CNN_OUTPUTS))) {
            peft.addAdapter("b", loaded.spec(), CNN_OUTPUTS, 9L);
            peft.loadAdapterTensors("b", loaded.tensors());
            peft.setActiveAdapters(List.of("b"));
            assertArrayEquals(expected, AdapterContract.forward(peft.network(), x, 3));
        }
    }

    @Test
    public void rejectsMissingMismatchedAndForeignFiles(@TempDir Path dir) throws IOException {
        assertTrue(assertThrows(PropertyException.class, () -> new AtlasSpec(CNN_BLOCKS, List.of())).getMessage()
                .contains("give fineTunedWeights (files of networks fine-tuned from the base) or tasks"));
        Path file = write(dir.resolve("mlp.safetensors"), Map.of("fc1.weight",
                TensorData.ofFloats(new long[] {2, 2}, new float[4])));
        assertTrue(assertThrows(PropertyException.class, () -> new AtlasSpec(CNN_BLOCKS, List.of(file), 1, List.of(), 1))
                .getMessage().contains("give either fineTunedWeights or tasks, not both"));
        assertTrue(assertThrows(PropertyException.class, () -> new AtlasSpec(CNN_BLOCKS, List.of(file), 0, List.of("a", "b"), 1))
                .getMessage().contains("fineTunedWeightsSha256 has 2 hashes for 1 task vectors"));
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> peft.addAdapter("a",
                    new AtlasSpec(AdapterTargets.modules("fc1"), List.of(file)), MLP_OUTPUTS, 1L));
            assertTrue(shape.getMessage().contains("tensor 'fc1.weight' has shape [2, 2] but the base network's is [12, 16]"),
                    shape.getMessage());
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> peft.addAdapter("a",
                    new AtlasSpec(AdapterTargets.modules("fc2"), List.of(file)), MLP_OUTPUTS, 1L));
            assertTrue(missing.getMessage().contains("have no tensor 'fc2.weight'; was it fine-tuned from this base network?"),
                    missing.getMessage());
            IllegalArgumentException hash = assertThrows(IllegalArgumentException.class, () -> peft.addAdapter("a",
                    new AtlasSpec(AdapterTargets.modules("fc1"), List.of(file), 0, List.of("00ff"), 1), MLP_OUTPUTS, 1L));
            assertTrue(hash.getMessage().contains("but 00ff was expected"), hash.getMessage());
            Path corrupt = Files.write(dir.resolve("corrupt.safetensors"), new byte[] {1, 2, 3});
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> peft.addAdapter("a",
                    new AtlasSpec(AdapterTargets.modules("fc1"), List.of(corrupt)), MLP_OUTPUTS, 1L));
            assertTrue(bad.getMessage().contains("are not a valid safetensors file"), bad.getMessage());
            RuntimeException absent = assertThrows(RuntimeException.class, () -> peft.addAdapter("a",
                    new AtlasSpec(AdapterTargets.modules("fc1"), List.of(dir.resolve("absent.safetensors"))), MLP_OUTPUTS, 1L));
            assertTrue(absent.getMessage().contains("cannot read fine-tuned weights"), absent.getMessage());
        }
    }
}
