package org.tribuoadapt.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.safetensors.SafetensorsFile;
import org.tribuoadapt.core.safetensors.SafetensorsReader;
import org.tribuoadapt.core.safetensors.SafetensorsWriter;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.peft.lora.LoraSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Loads adapters written by Hugging Face PEFT 0.21 onto the matching base networks and reproduces PEFT's adapted
 * and merged outputs and merged weights, through the Java API and through {@link AdapterApplication} (the logic of
 * {@code peft apply}).
 */
public class HuggingFacePeftInteropTest {

    static final NetworkSpec MLP = new MLPSpec(16, new int[] {32, 32}, Activation.RELU, 0.0);
    static final NetworkSpec CNN = new CNNSpec(1, 6, 6, new int[] {4, 8}, false, 0, new int[0]);

    /**
     * The path of a fixture file.
     * @param name The path below {@code fixtures/hf-peft}.
     * @return The path.
     * @throws Exception if the resource is missing.
     */
    public static Path fixture(String name) throws Exception {
        return Paths.get(HuggingFacePeftInteropTest.class.getResource("/fixtures/hf-peft/" + name).toURI());
    }

    static void assertClose(TensorData expected, float[] actual, double tolerance, String what) {
        float[] want = expected.toFloatArray();
        assertEquals(want.length, actual.length, what + " size");
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], actual[i], tolerance, what + " [" + i + "]");
        }
    }

    private static float[] forward(Network network, TensorData x) {
        try (NDManager m = network.manager().newSubManager(); GradientMode ignored = GradientMode.disabled()) {
            NDArray batch = m.create(x.toFloatArray(), new Shape(x.shape()));
            return network.forward(batch, ForwardContext.inference(m)).toFloatArray();
        }
    }

    private static void reproduce(NetworkSpec spec, String fixture, List<String> targets) throws Exception {
        SafetensorsFile expected = SafetensorsReader.read(fixture(fixture + "/expected.safetensors"));
        LoadedAdapter adapter = AdapterFiles.load(fixture(fixture + "/adapter"));
        assertTrue(adapter.spec() instanceof LoraSpec);
        BaseNetwork base = BaseNetwork.fromSafetensors(spec, fixture(fixture + "/base_model.safetensors"));
        TensorData x = expected.get("input");
        try (PeftNetwork peft = PeftNetwork.wrap(base.newNetwork())) {
            assertClose(expected.get("output_base"), forward(peft.network(), x), 1e-5, "base output");
            peft.addAdapter("default", adapter.spec(), base.outputs(), 0L);
            assertEquals(targets, peft.targets("default"));
            peft.loadAdapterTensors("default", adapter.tensors());
            peft.setActiveAdapters(List.of("default"));
            assertClose(expected.get("output_adapted"), forward(peft.network(), x), 1e-5, "adapted output");
            Map<String, TensorData> merged = peft.mergedStateDict();
            for (String name : expected.names()) {
                if (name.startsWith("merged.")) {
                    assertClose(expected.get(name), merged.get(name.substring("merged.".length())).toFloatArray(), 1e-5, name);
                }
            }
            peft.merge();
            assertClose(expected.get("output_merged"), forward(peft.network(), x), 1e-5, "merged output");
            peft.unmerge();
            assertClose(expected.get("output_adapted"), forward(peft.network(), x), 1e-5, "unmerged output");
            // the tensors we would save are PEFT's, bit for bit
            Map<String, TensorData> saved = peft.adapterTensors("default");
            assertEquals(adapter.tensors().keySet(), saved.keySet());
            for (Map.Entry<String, TensorData> e : adapter.tensors().entrySet()) {
                assertArrayEquals(e.getValue().toFloatArray(), saved.get(e.getKey()).toFloatArray(), e.getKey());
            }
        }
    }

    @Test
    public void mlpLoraReproducesPeft() throws Exception {
        reproduce(MLP, "mlp_lora", List.of("fc1", "fc2"));
    }

    @Test
    public void cnnLoraReproducesPeft() throws Exception {
        reproduce(CNN, "cnn_lora", List.of("conv1", "conv2", "head"));
    }

    /** A NetworkModel holding the fixture's base weights (the domains come from a dummy training run). */
    private static NetworkModel baseModel(NetworkSpec spec, String fixture, int features, int outputs) throws Exception {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> data = new MutableDataset<>(new SimpleDataSourceProvenance("dummy", factory), factory);
        String[] names = SyntheticImages.featureNames(features);
        for (int i = 0; i < 2 * outputs; i++) {
            data.add(new ArrayExample<>(new Label("k" + (i % outputs)), names, new double[features]));
        }
        NetworkModel dummy = new NetworkTrainer(spec, new AdamOptimiserFactory(0.01), 1, 4, 1L).train(data);
        byte[] weights = Files.readAllBytes(fixture(fixture + "/base_model.safetensors"));
        return new NetworkModel("base", dummy.getProvenance(), dummy.getFeatureIDMap(), dummy.getOutputIDInfo(), spec,
                weights, null);
    }

    private static float[] logits(Model<?> model, TensorData x) {
        try (NDManager m = DjlRuntime.newManager()) {
            NDArray batch = m.create(x.toFloatArray(), new Shape(x.shape()));
            return model instanceof PeftModel ? ((PeftModel) model).logits(batch).toFloatArray()
                    : ((NetworkModel) model).logits(batch).toFloatArray();
        }
    }

    @Test
    public void peftModelLoadsPeftAdaptersAndMerges() throws Exception {
        Object[][] cases = {{MLP, "mlp_lora", 16, 5}, {CNN, "cnn_lora", 36, 3}};
        for (Object[] c : cases) {
            String fixture = (String) c[1];
            SafetensorsFile expected = SafetensorsReader.read(fixture(fixture + "/expected.safetensors"));
            NetworkModel base = baseModel((NetworkSpec) c[0], fixture, (Integer) c[2], (Integer) c[3]);
            PeftModel model = PeftModel.of(base).loadAdapter("peft", fixture(fixture + "/adapter"))
                    .withActiveAdapters(List.of("peft"));
            TensorData x = expected.get("input");
            assertClose(expected.get("output_base"), logits(PeftModel.of(base), x), 1e-5, fixture + " base");
            assertClose(expected.get("output_adapted"), logits(model, x), 1e-5, fixture + " adapted");
            assertClose(expected.get("output_merged"), logits(model.merge(), x), 1e-5, fixture + " merged");
            assertClose(expected.get("output_merged"), logits(model.mergeAdapters(), x), 1e-5, fixture + " merged in place");
            assertClose(expected.get("output_base"), logits(model.withAdaptersEnabled(false), x), 1e-5, fixture + " disabled");
            assertTrue(model.getProvenance().getInstanceProvenance().getMap().get("adapter.peft.origin").toString()
                    .contains("adapter_model.safetensors sha256"));
        }
    }

    private static void applyThroughFiles(String config, String fixture, Path dir) throws Exception {
        Path out = dir.resolve("out.safetensors");
        AdapterApplication.apply(Paths.get("../examples/configs/" + config), fixture(fixture + "/base_model.safetensors"),
                fixture(fixture + "/adapter"), fixture(fixture + "/expected.safetensors"), out);
        SafetensorsFile expected = SafetensorsReader.read(fixture(fixture + "/expected.safetensors"));
        SafetensorsFile got = SafetensorsReader.read(out);
        assertEquals(List.of(AdapterApplication.OUTPUT_ADAPTED, AdapterApplication.OUTPUT_MERGED), List.copyOf(got.names()));
        assertClose(expected.get("output_adapted"), got.get("output_adapted").toFloatArray(), 1e-5, "adapted");
        assertClose(expected.get("output_merged"), got.get("output_merged").toFloatArray(), 1e-5, "merged");
    }

    @Test
    public void applyCommandReproducesPeftOnTheMlp(@TempDir Path dir) throws Exception {
        applyThroughFiles("hf-peft-mlp.xml", "mlp_lora", dir);
    }

    @Test
    public void applyCommandReproducesPeftOnTheCnn(@TempDir Path dir) throws Exception {
        applyThroughFiles("hf-peft-cnn.xml", "cnn_lora", dir);
    }

    @Test
    public void applyRefusesNonFiniteBaseWeightsAndInputsAndWritesNothing(@TempDir Path dir) throws Exception {
        Path config = Paths.get("../examples/configs/hf-peft-mlp.xml");
        SafetensorsFile base = SafetensorsReader.read(fixture("mlp_lora/base_model.safetensors"));
        Map<String, TensorData> poisoned = new LinkedHashMap<>(base.tensors());
        String name = poisoned.keySet().iterator().next();
        float[] values = poisoned.get(name).toFloatArray();
        values[3] = Float.NaN;
        poisoned.put(name, TensorData.ofFloats(poisoned.get(name).shape(), values));
        Path badBase = dir.resolve("nan-base.safetensors");
        SafetensorsWriter.write(badBase, poisoned, base.metadata());
        Path out = dir.resolve("out.safetensors");
        IllegalArgumentException weights = assertThrows(IllegalArgumentException.class, () -> AdapterApplication.apply(
                config, badBase, fixture("mlp_lora/adapter"), fixture("mlp_lora/expected.safetensors"), out));
        assertTrue(weights.getMessage().contains("the base weights " + badBase + ": tensor '" + name + "'")
                && weights.getMessage().contains("non-finite value NaN at element 3"), weights.getMessage());

        SafetensorsFile expected = SafetensorsReader.read(fixture("mlp_lora/expected.safetensors"));
        float[] x = expected.get(AdapterApplication.INPUT).toFloatArray();
        x[0] = Float.POSITIVE_INFINITY;
        Path badInput = dir.resolve("inf-input.safetensors");
        SafetensorsWriter.write(badInput, Map.of(AdapterApplication.INPUT,
                TensorData.ofFloats(expected.get(AdapterApplication.INPUT).shape(), x)), Map.of());
        IllegalArgumentException input = assertThrows(IllegalArgumentException.class, () -> AdapterApplication.apply(
                config, fixture("mlp_lora/base_model.safetensors"), fixture("mlp_lora/adapter"), badInput, out));
        assertTrue(input.getMessage().contains(badInput + ": tensor 'input'") && input.getMessage().contains("Infinity"),
                input.getMessage());
        assertFalse(Files.exists(out), "nothing is written when the inputs are refused");
        Path missing = dir.resolve("no-such-base.safetensors");
        IOException absent = assertThrows(IOException.class, () -> AdapterApplication.apply(
                config, missing, fixture("mlp_lora/adapter"), fixture("mlp_lora/expected.safetensors"), out));
        assertEquals("the base weights " + missing + " do not exist", absent.getMessage());
    }
}
