package org.tribuoadapt.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Dataset;
import org.tribuo.ONNXExportable;
import org.tribuo.Prediction;
import org.tribuo.VariableIDInfo;
import org.tribuo.VariableInfo;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.interop.onnx.DenseTransformer;
import org.tribuo.interop.onnx.LabelTransformer;
import org.tribuo.interop.onnx.ONNXExternalModel;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.layers.Hypernetwork;
import org.tribuoadapt.core.nn.layers.Linear;
import org.tribuoadapt.core.nn.layers.Sequential;
import org.tribuoadapt.core.nn.layers.WeightCompander;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.nn.spec.HypernetworkSpec;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.nn.spec.TransformerSpec;
import org.tribuoadapt.core.nn.spec.WideNetSpec;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.train.AdamOptimiserFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ONNX export: ONNX Runtime (directly and through Tribuo's {@link ONNXExternalModel}) reproduces DJL's probabilities
 * within 1e-4 for trained MLP, CNN (with BatchNorm) and Transformer models.
 */
public class NetworkOnnxExportTest {

    private static final int SIZE = 8;
    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    private static NetworkModel train(NetworkSpec spec, Dataset<Label> data) {
        return new NetworkTrainer(spec, new AdamOptimiserFactory(0.01), 2, 32, 11L).train(data);
    }

    @Test
    public void mlpWithDropoutMatchesOnnxRuntime() throws Exception {
        Dataset<Label> train = SyntheticImages.dataset(120, 3, SIZE, 1);
        Dataset<Label> test = SyntheticImages.dataset(30, 3, SIZE, 2);
        NetworkModel model = train(new MLPSpec(SIZE * SIZE, new int[] {16, 12}, Activation.GELU, 0.2), train);
        assertMatchesOnnxRuntime(model, test);
    }

    @Test
    public void cnnWithBatchNormMatchesOnnxRuntime() throws Exception {
        Dataset<Label> train = SyntheticImages.dataset(120, 3, SIZE, 3);
        Dataset<Label> test = SyntheticImages.dataset(30, 3, SIZE, 4);
        NetworkModel model = train(new CNNSpec(1, SIZE, SIZE, new int[] {4, 6}, true, 2, new int[] {16}), train);
        try (Network network = model.newNetwork()) {
            float[] runningMean = network.parameters().get("bn1.running_mean").toFloatArray();
            assertTrue(runningMean[0] != 0f, "training must have moved the running statistics the export uses");
        }
        assertMatchesOnnxRuntime(model, test);
    }

    @Test
    public void transformersMatchOnnxRuntime() throws Exception {
        Dataset<Label> train = SyntheticImages.dataset(120, 3, SIZE, 5);
        Dataset<Label> test = SyntheticImages.dataset(30, 3, SIZE, 6);
        assertMatchesOnnxRuntime(train(TransformerSpec.forImages(1, SIZE, SIZE, 4, 16, 2, 2, 24), train), test);
        assertMatchesOnnxRuntime(train(TransformerSpec.forSequences(SIZE * SIZE, SIZE, 16, 1, 4, 24), train), test);
        // σReparam exports as plain MatMuls with the effective weights
        assertMatchesOnnxRuntime(train(TransformerSpec.forSequences(SIZE * SIZE, SIZE, 16, 1, 4, 24)
                .withSpectralReparam(), train), test);
    }

    @Test
    public void compandedNetworksExportAsPlainOnesWithTheCompandedWeights() throws Exception {
        Dataset<Label> train = SyntheticImages.dataset(120, 3, SIZE, 7);
        Dataset<Label> test = SyntheticImages.dataset(30, 3, SIZE, 8);
        WeightCompander compander = new WeightCompander(0.4, 0.02);
        NetworkModel mlp = train(new MLPSpec(SIZE * SIZE, new int[] {16}, Activation.RELU, 0.0)
                .withWeightCompander(compander), train);
        NetworkModel cnn = train(new CNNSpec(1, SIZE, SIZE, new int[] {4, 6}, true, 2, new int[] {16})
                .withWeightCompander(compander), train);
        for (NetworkModel model : List.of(mlp, cnn)) {
            assertMatchesOnnxRuntime(model, test);
            List<String> initializers = model.exportONNXModel("org.tribuoadapt.test", 1).getGraph().getInitializerList()
                    .stream().map(OnnxMl.TensorProto::getName).toList();
            assertTrue(initializers.stream().anyMatch(n -> n.contains("head/effective_weight")), initializers.toString());
            assertTrue(initializers.stream().noneMatch(n -> n.contains("head.weight")), "the raw weight is not exported: " + initializers);
        }
    }

    /**
     * Compares the exported model's probabilities with {@link NetworkModel#predict}, through a plain ONNX Runtime
     * session and through {@link ONNXExternalModel}, and checks the provenance survives the export.
     */
    private void assertMatchesOnnxRuntime(NetworkModel model, Dataset<Label> test) throws Exception {
        Path file = dir.resolve("model.onnx");
        model.saveONNXModel("org.tribuoadapt.test", 3, file);
        List<Prediction<Label>> expected = model.predict(test);
        int classes = model.getOutputIDInfo().size();

        float[] features = new FeatureTensorizer(model.getFeatureIDMap(), new Shape(SIZE * SIZE))
                .toArray(test.getData());
        float[] direct = OrtRunner.run(Files.readAllBytes(file), features, test.size(), SIZE * SIZE);
        for (int i = 0; i < test.size(); i++) {
            for (int c = 0; c < classes; c++) {
                String label = model.getOutputIDInfo().getOutput(c).getLabel();
                assertEquals(expected.get(i).getOutputScores().get(label).getScore(), direct[i * classes + c], TOLERANCE,
                        "example " + i + ", label " + label);
            }
        }

        Map<String, Integer> featureMapping = new HashMap<>();
        for (VariableInfo f : model.getFeatureIDMap()) {
            featureMapping.put(f.getName(), ((VariableIDInfo) f).getID());
        }
        Map<Label, Integer> outputMapping = new HashMap<>();
        for (int c = 0; c < classes; c++) {
            outputMapping.put(model.getOutputIDInfo().getOutput(c), c);
        }
        try (ONNXExternalModel<Label> external = ONNXExternalModel.createOnnxModel(new LabelFactory(), featureMapping,
                outputMapping, new DenseTransformer(), new LabelTransformer(), new OrtSession.SessionOptions(), file, "input")) {
            List<Prediction<Label>> actual = external.predict(test);
            for (int i = 0; i < test.size(); i++) {
                assertEquals(expected.get(i).getOutput().getLabel(), actual.get(i).getOutput().getLabel());
                for (Map.Entry<String, Label> e : expected.get(i).getOutputScores().entrySet()) {
                    assertEquals(e.getValue().getScore(), actual.get(i).getOutputScores().get(e.getKey()).getScore(), TOLERANCE);
                }
            }
            assertEquals(model.getProvenance(), external.getTribuoProvenance().orElseThrow());
        }
    }

    @Test
    public void everyActivationMatchesDjl() throws Exception {
        for (Activation activation : Activation.values()) {
            try (Network network = new MLPSpec(6, new int[] {5}, activation, 0.0).build(3, 21L)) {
                assertNetworkMatches(NetworkOnnxExporter.standard(), network, 7);
            }
        }
    }

    @Test
    public void exportedModelCarriesTribuoMetadata() throws Exception {
        Dataset<Label> train = SyntheticImages.dataset(30, 2, 4, 7);
        NetworkModel model = new NetworkTrainer(new MLPSpec(16, new int[] {4}, Activation.RELU, 0.0),
                new AdamOptimiserFactory(0.01), 1, 16, 3L).train(train);
        OnnxMl.ModelProto proto = model.exportONNXModel("org.tribuoadapt.test", 5);
        assertEquals("org.tribuoadapt.test", proto.getDomain());
        assertEquals(5, proto.getModelVersion());
        assertEquals(ONNXOperators.getOpsetVersion(), proto.getOpsetImport(0).getVersion());
        assertEquals(ONNXExportable.PROVENANCE_METADATA_FIELD, proto.getMetadataProps(0).getKey());
        assertEquals(List.of(-1L, 16L), dims(proto.getGraph().getInput(0)));
        assertEquals(List.of(-1L, 2L), dims(proto.getGraph().getOutput(0)));
        assertEquals(model.getProvenance(), ONNXExportable.SERIALIZER.deserializeAndUnmarshal(proto.getMetadataProps(0).getValue()));
    }

    private static List<Long> dims(OnnxMl.ValueInfoProto value) {
        return value.getType().getTensorType().getShape().getDimList().stream()
                .map(d -> d.hasDimValue() ? d.getDimValue() : -1L).toList();
    }

    @Test
    public void saveIsAtomicAndLeavesNoTemporaryFile() throws Exception {
        Dataset<Label> train = SyntheticImages.dataset(30, 2, 4, 8);
        NetworkModel model = new NetworkTrainer(new MLPSpec(16, new int[] {4}, Activation.RELU, 0.0),
                new AdamOptimiserFactory(0.01), 1, 16, 3L).train(train);
        Path file = dir.resolve("saved.onnx");
        Files.write(file, new byte[] {1, 2, 3});
        model.saveONNXModel("org.tribuoadapt.test", 1, file);
        assertArrayEquals(model.exportONNXModel("org.tribuoadapt.test", 1).toByteArray(), Files.readAllBytes(file));
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(file), listing.toList());
        }
    }

    /** A layer type that core does not know, as an adapter from another module would be. */
    private static final class Doubling extends Layer {
        @Override
        protected NDArray forward(NDArray input, ForwardContext context) {
            return input.mul(2f);
        }

        @Override
        public Shape outputShape(Shape inputShape) {
            return inputShape;
        }
    }

    private static Network networkWithUnknownLayer() {
        NDManager manager = DjlRuntime.newManager();
        Sequential root = new Sequential()
                .add("fc1", new Linear(manager, 4, 3, true))
                .add("scale", new Doubling())
                .add("head", new Linear(manager, 3, 2, false));
        Network network = new Network(manager, root, new Shape(4));
        network.initialize(5L);
        return network;
    }

    @Test
    public void wideNetIsRefusedBecauseItsRoutingIsDataDependent() {
        try (Network network = WideNetSpec.forSequences(16, 4, 8, 2, 2, 8, 2, 1, 1.0).build(2, 1L)) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> NetworkOnnxExporter.standard().exportNetwork(network, "test", 1));
            assertTrue(e.getMessage().contains("layer 'encoder'"), e.getMessage());
            assertTrue(e.getMessage().contains("data-dependent"), e.getMessage());
        }
    }

    @Test
    public void aHypernetworkIsRefusedAndItsPrimaryNetworkAtAFixedValueExports() throws Exception {
        HypernetworkSpec spec = HypernetworkSpec.magnitudeInvariant(6, 1, new int[] {5}, new int[] {4});
        try (Network network = spec.build(3, 2L); Network primary = spec.primarySpec().assemble(3);
             NDManager manager = network.manager().newSubManager()) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> NetworkOnnxExporter.standard().exportNetwork(network, "test", 1));
            assertTrue(e.getMessage().contains("primaryWeightsAt"), e.getMessage());
            primary.loadStateDict(((Hypernetwork) network.root()).primaryWeightsAt(new float[] {0.3f}, manager), true);
            assertNetworkMatches(NetworkOnnxExporter.standard(), primary, 4);
        }
    }

    @Test
    public void unknownLayerIsAClearErrorUntilAnExporterIsRegistered() throws Exception {
        try (Network network = networkWithUnknownLayer()) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> NetworkOnnxExporter.standard().exportNetwork(network, "test", 1));
            assertTrue(e.getMessage().contains("layer 'scale'"), e.getMessage());
            assertTrue(e.getMessage().contains(Doubling.class.getName()), e.getMessage());
            assertTrue(e.getMessage().contains("PeftModel.merge()"), e.getMessage());

            LayerExporterRegistry registry = LayerExporterRegistry.withCoreLayers().register(Doubling.class,
                    (layer, input, shape, graph) -> graph.op(ONNXOperators.MUL, "scale", input, graph.scalar("two", 2f)));
            assertTrue(registry.supports(Doubling.class));
            assertNetworkMatches(new NetworkOnnxExporter(registry), network, 5);
        }
    }

    /** Runs {@code network} and its raw-output export on the same random batch. */
    private static void assertNetworkMatches(NetworkOnnxExporter exporter, Network network, int batch) throws OrtException {
        int width = Math.toIntExact(network.inputShape().size());
        float[] input = new float[batch * width];
        Random random = new Random(17);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
        float[] expected;
        try (NDManager manager = network.manager().newSubManager(); GradientMode ignored = GradientMode.disabled()) {
            NDArray x = manager.create(input, new Shape(batch).addAll(network.inputShape()));
            expected = network.forward(x, ForwardContext.inference(manager)).toFloatArray();
        }
        byte[] model = exporter.exportNetwork(network, "org.tribuoadapt.test", 1).toByteArray();
        float[] actual = OrtRunner.run(model, input, batch, width);
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], TOLERANCE, "output " + i + " of " + network.root().describe());
        }
        assertNotEquals(0f, expected[0]);
    }
}
