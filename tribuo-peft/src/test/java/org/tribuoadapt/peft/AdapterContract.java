package org.tribuoadapt.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.core.train.NetworkOptimiser;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.core.train.TrainingLoop;
import org.tribuoadapt.core.train.TrainingPlan;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The properties every adapter method must have, checked on tiny networks: merged equals unmerged, unmerging
 * restores the base exactly, only the adapter (and its modules to save) trains, and the adapter survives a save and
 * load in PEFT's format.
 */
public final class AdapterContract {

    /** A tiny MLP: fc1 16->12, fc2 12->10, head 10->4. */
    public static final NetworkSpec MLP = new MLPSpec(16, new int[] {12, 10}, Activation.RELU, 0.0);
    /** A tiny CNN on 1x6x6: conv1 1->3, bn1, pool, conv2 3->4, bn2, pool, fc1 4->6, head 6->3. */
    public static final NetworkSpec CNN = new CNNSpec(1, 6, 6, new int[] {3, 4}, true, 2, new int[] {6});
    /** Outputs of the tiny MLP. */
    public static final int MLP_OUTPUTS = 4;
    /** Outputs of the tiny CNN. */
    public static final int CNN_OUTPUTS = 3;

    private AdapterContract() {}

    /**
     * Builds a randomly initialised base; BatchNorm statistics are made non-trivial.
     * @param spec The architecture.
     * @param outputs The output width.
     * @return The network.
     */
    public static Network base(NetworkSpec spec, int outputs) {
        Network network = spec.build(outputs, 11L);
        SplittableRandom rng = new SplittableRandom(5);
        for (Map.Entry<String, Parameter> e : network.parameters().entrySet()) {
            if (e.getKey().endsWith("running_mean") || e.getKey().endsWith("bn1.weight")) {
                e.getValue().assign(Initializers.uniform(Math.toIntExact(e.getValue().size()), 0.5, rng));
            } else if (e.getKey().endsWith("running_var")) {
                float[] v = Initializers.uniform(Math.toIntExact(e.getValue().size()), 0.4, rng);
                for (int i = 0; i < v.length; i++) {
                    v[i] += 1f;
                }
                e.getValue().assign(v);
            }
        }
        return network;
    }

    /**
     * A deterministic input batch for a spec.
     * @param spec The architecture.
     * @param n The batch size.
     * @return The values, row-major.
     */
    public static float[] input(NetworkSpec spec, int n) {
        return Initializers.uniform(Math.toIntExact(n * spec.inputSize()), 1.0, new SplittableRandom(3));
    }

    /**
     * Runs a network in inference mode.
     * @param network The network.
     * @param x The input values.
     * @param n The batch size.
     * @return The outputs.
     */
    public static float[] forward(Network network, float[] x, int n) {
        long[] dims = new long[network.inputShape().dimension() + 1];
        dims[0] = n;
        System.arraycopy(network.inputShape().getShape(), 0, dims, 1, dims.length - 1);
        try (NDManager m = network.manager().newSubManager(); GradientMode ignored = GradientMode.disabled()) {
            NDArray batch = m.create(x, new Shape(dims));
            return network.forward(batch, ForwardContext.inference(m)).toFloatArray();
        }
    }

    /**
     * Sets every weight of an adapter (modules and copies) to random values, so that it changes the outputs.
     * @param peft The network.
     * @param name The adapter.
     * @param seed The seed.
     */
    public static void randomise(PeftNetwork peft, String name, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (Parameter p : adapterParameters(peft, name).values()) {
            if (p.kind() == Parameter.Kind.WEIGHT) {
                p.assign(Initializers.normal(Math.toIntExact(p.size()), 0.3, rng));
            }
        }
    }

    /**
     * The parameters and buffers that belong to an adapter: its modules' and its copies of modules to save.
     * @param peft The network.
     * @param name The adapter.
     * @return Parameters by network name.
     */
    public static Map<String, Parameter> adapterParameters(PeftNetwork peft, String name) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : peft.network().parameters().entrySet()) {
            if (e.getKey().contains("." + name + ".") || e.getKey().startsWith(name + ".")) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /**
     * Checks that merging gives the same outputs as the unmerged adapter (within 1e-5, both by merging in place and
     * by loading the merged state dict into a plain network), and that unmerging restores the base bit for bit.
     * @param spec The adapter.
     * @param net The base architecture.
     * @param outputs Its outputs.
     */
    public static void assertMergeEqualsUnmerged(AdapterSpec spec, NetworkSpec net, int outputs) {
        float[] x = input(net, 5);
        try (PeftNetwork peft = PeftNetwork.wrap(base(net, outputs))) {
            peft.addAdapter("a", spec, outputs, 7L);
            randomise(peft, "a", 9L);
            // the base as the adapter left it (PiSSA moves part of it into the adapter)
            Map<String, TensorData> before = peft.mergedStateDict();
            float[] baseOut = forward(peft.network(), x, 5);
            peft.setActiveAdapters(List.of("a"));
            float[] adapted = forward(peft.network(), x, 5);
            assertFalse(Arrays.equals(baseOut, adapted), "the randomised adapter changes the outputs");
            Map<String, TensorData> merged = peft.mergedStateDict();
            try (Network plain = net.assemble(outputs)) {
                plain.loadStateDict(merged, true);
                assertClose(adapted, forward(plain, x, 5), 1e-5, "merged plain network");
            }
            peft.merge();
            assertClose(adapted, forward(peft.network(), x, 5), 1e-5, "merged in place");
            peft.unmerge();
            assertArrayEquals(adapted, forward(peft.network(), x, 5), "unmerged");
            peft.setAdaptersEnabled(false);
            assertArrayEquals(baseOut, forward(peft.network(), x, 5), "disabled adapters run the base");
            peft.setAdaptersEnabled(true);
            peft.setActiveAdapters(List.of());
            Map<String, TensorData> after = peft.mergedStateDict();
            for (Map.Entry<String, TensorData> e : before.entrySet()) {
                assertEquals(e.getValue(), after.get(e.getKey()), "unmerge restores " + e.getKey());
            }
        }
    }

    /**
     * The number of trainable values the adapter adds, checking that they are exactly what "all" grows by.
     * @param spec The adapter.
     * @param net The base architecture.
     * @param outputs Its outputs.
     * @return The count.
     */
    public static long trainableCount(AdapterSpec spec, NetworkSpec net, int outputs) {
        try (PeftNetwork peft = PeftNetwork.wrap(base(net, outputs))) {
            long baseAll = peft.trainableSummary().all();
            assertEquals(0, peft.trainableSummary().trainable(), "the base is frozen");
            peft.addAdapter("a", spec, outputs, 7L);
            peft.setTrainable("a");
            TrainableSummary summary = peft.trainableSummary();
            assertEquals(baseAll + summary.trainable(), summary.all(), "all = base + adapter");
            return summary.trainable();
        }
    }

    /**
     * Trains an adapter for a few steps through core's training loop and checks that only its weights (and its copies
     * of modules to save) changed: every base weight and buffer, BatchNorm statistics included, is bit-identical.
     * @param spec The adapter.
     * @param net The base architecture.
     * @param outputs Its outputs.
     */
    public static void assertOnlyAdapterTrains(AdapterSpec spec, NetworkSpec net, int outputs) {
        float[] x = input(net, 24);
        int[] labels = new int[24];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % outputs;
        }
        TensorDataset data = new TensorDataset(x, labels, net.inputShape());
        try (PeftNetwork peft = PeftNetwork.wrap(base(net, outputs))) {
            peft.addAdapter("a", spec, outputs, 7L);
            peft.setActiveAdapters(List.of("a"));
            peft.setTrainable("a");
            Map<String, float[]> before = values(peft.network());
            List<Parameter> trainable = peft.network().trainableParameters();
            assertFalse(trainable.isEmpty());
            TrainingPlan plan = new TrainingPlan(0, 0, 24, x.length / 24, 8, 2);
            try (NetworkOptimiser opt = new AdamOptimiserFactory(0.05).create(trainable, plan)) {
                new TrainingLoop(2, 8, 0, 1).fit(peft.network(), opt, data, null, BatchObjective.crossEntropy(),
                        new SplittableRandom(1), TrainingListener.NONE);
            }
            Map<String, Parameter> own = adapterParameters(peft, "a");
            Map<String, float[]> after = values(peft.network());
            boolean anyChanged = false;
            for (Map.Entry<String, float[]> e : before.entrySet()) {
                boolean changed = !Arrays.equals(e.getValue(), after.get(e.getKey()));
                if (own.containsKey(e.getKey())) {
                    anyChanged |= changed;
                } else {
                    assertFalse(changed, e.getKey() + " must not change during adapter training");
                }
            }
            assertTrue(anyChanged, "the adapter's weights change");
            for (Parameter p : trainable) {
                assertTrue(own.containsValue(p), "only adapter weights are trainable, found " + p);
            }
        }
    }

    private static Map<String, float[]> values(Network network) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : network.parameters().entrySet()) {
            out.put(e.getKey(), e.getValue().array().getDataType() == ai.djl.ndarray.types.DataType.INT64
                    ? new float[] {e.getValue().array().toLongArray()[0]} : e.getValue().toFloatArray());
        }
        return out;
    }

    /**
     * Saves a randomised adapter in PEFT's format, loads it onto a fresh copy of the base, and checks that the
     * configuration, the tensors and the outputs are the same.
     * @param spec The adapter.
     * @param net The base architecture.
     * @param outputs Its outputs.
     * @param dir A temporary folder.
     * @throws IOException if the files cannot be written.
     */
    public static void assertSaveLoadRoundTrip(AdapterSpec spec, NetworkSpec net, int outputs, Path dir) throws IOException {
        float[] x = input(net, 4);
        float[] expected;
        Map<String, TensorData> tensors;
        try (PeftNetwork peft = PeftNetwork.wrap(base(net, outputs))) {
            peft.addAdapter("a", spec, outputs, 7L);
            randomise(peft, "a", 13L);
            peft.setActiveAdapters(List.of("a"));
            expected = forward(peft.network(), x, 4);
            tensors = peft.adapterTensors("a");
            AdapterFiles.save(dir.resolve("adapter"), spec, tensors);
        }
        LoadedAdapter loaded = AdapterFiles.load(dir.resolve("adapter"));
        assertEquals(spec.toString(), loaded.spec().toString());
        assertEquals(spec.toPeftConfig().toString(), loaded.spec().toPeftConfig().toString());
        assertEquals(tensors, loaded.tensors());
        try (PeftNetwork peft = PeftNetwork.wrap(base(net, outputs))) {
            peft.addAdapter("b", loaded.spec(), outputs, 99L);
            peft.loadAdapterTensors("b", loaded.tensors());
            peft.setActiveAdapters(List.of("b"));
            assertArrayEquals(expected, forward(peft.network(), x, 4));
        }
    }

    /**
     * Asserts two arrays agree element-wise.
     * @param expected The expected values.
     * @param actual The actual values.
     * @param tolerance The largest difference.
     * @param what A label for messages.
     */
    public static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + " size");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, what + " [" + i + "]");
        }
    }

}
