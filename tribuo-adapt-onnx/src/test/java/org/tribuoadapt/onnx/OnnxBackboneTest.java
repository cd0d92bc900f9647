package org.tribuoadapt.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnx.proto.OnnxMl;
import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Dataset;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.protos.core.ModelProto;
import org.tribuo.test.Helpers;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXInitializer;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXRef;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.provenance.ConfiguredObjects;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The frozen ONNX stage: it computes what ONNX Runtime computes, a head trained over it learns, only the head is
 * trained, the ONNX model travels inside the serialized model, and bad models or shapes are clear errors.
 */
public class OnnxBackboneTest {

    private static final int SIZE = 8;
    private static final int FEATURES = 3;

    /** A CNN pre-trained on the synthetic bars, exported without softmax: [N, 64] -> 3 logits. */
    private static byte[] pretrained;

    @TempDir
    Path dir;

    @BeforeAll
    public static void pretrainBackbone() {
        Dataset<Label> data = SyntheticImages.dataset(200, FEATURES, SIZE, 101);
        NetworkModel model = new NetworkTrainer(new CNNSpec(1, SIZE, SIZE, new int[] {4}, true, 2, new int[] {8}),
                new AdamOptimiserFactory(0.01), 3, 32, 5L).train(data);
        try (Network network = model.newNetwork()) {
            pretrained = NetworkOnnxExporter.standard().exportNetwork(network, "org.tribuoadapt.test", 1).toByteArray();
        }
    }

    private Path write(String name, byte[] bytes) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    private static NetworkSpec head() {
        return new MLPSpec(FEATURES, new int[] {16}, Activation.RELU, 0.0);
    }

    /** A hand-built model: sigmoid(x W + b) with x [N, 3] and W, b fixed, via Tribuo's ONNX builder. */
    private static final float[] W = {0.5f, -1f, 0.25f, 2f, 0f, 1.5f};
    private static final float[] B = {0.1f, -0.2f};

    private static byte[] affineSigmoid() {
        ONNXContext onnx = new ONNXContext();
        ONNXRef<?> input = onnx.floatInput("x", 3);
        ONNXInitializer weight = onnx.floatTensor("w", List.of(3, 2), fb -> fb.put(W));
        ONNXInitializer bias = onnx.floatTensor("b", List.of(2), fb -> fb.put(B));
        input.apply(ONNXOperators.GEMM, List.of(weight, bias)).apply(ONNXOperators.SIGMOID)
                .assignTo(onnx.floatOutput("y", 2));
        return OnnxMl.ModelProto.newBuilder().setGraph(onnx.buildGraph()).setIrVersion(7)
                .addOpsetImport(ONNXOperators.getOpsetProto()).build().toByteArray();
    }

    @Test
    public void stageComputesTheOnnxModel() throws Exception {
        byte[] model = affineSigmoid();
        float[] x = {1f, 2f, 3f, -1f, 0.5f, 0f};
        try (NDManager manager = DjlRuntime.newManager()) {
            OnnxStage stage = new OnnxStage(manager, model, "", null, null);
            assertEquals(new Shape(3), stage.exampleInputShape());
            assertEquals(new Shape(2), stage.exampleOutputShape());
            assertEquals("x", stage.signature().inputName());
            assertEquals("y", stage.signature().outputName());
            assertEquals(NetworkProvenance.sha256(model), stage.sha256());
            assertArrayEquals(model, stage.modelBytes());
            assertTrue(stage.parameters().isEmpty());
            float[] actual = stage.apply(manager.create(x, new Shape(2, 3)), ForwardContext.inference(manager)).toFloatArray();
            assertArrayEquals(OrtRunner.run(model, x, 2, 3), actual);
            for (int n = 0; n < 2; n++) {
                for (int j = 0; j < 2; j++) {
                    double z = B[j];
                    for (int i = 0; i < 3; i++) {
                        z += x[n * 3 + i] * W[i * 2 + j];
                    }
                    assertEquals(1 / (1 + Math.exp(-z)), actual[n * 2 + j], 1e-6);
                }
            }
        }
    }

    /** The affine model with every dimension of its input and output left symbolic. */
    private static byte[] symbolicAffineSigmoid() throws Exception {
        OnnxMl.ModelProto.Builder model = OnnxMl.ModelProto.parseFrom(affineSigmoid()).toBuilder();
        OnnxMl.GraphProto.Builder graph = model.getGraphBuilder();
        for (OnnxMl.ValueInfoProto.Builder value : List.of(graph.getInputBuilder(0), graph.getOutputBuilder(0))) {
            OnnxMl.TensorShapeProto.Builder shape = value.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
            shape.getDimBuilder(1).clearDimValue().setDimParam(value.getName() + "_width");
        }
        return model.build().toByteArray();
    }

    @Test
    public void symbolicDimensionsMustBeConfigured() throws Exception {
        byte[] model = symbolicAffineSigmoid();
        float[] x = {1f, 2f, 3f};
        try (NDManager manager = DjlRuntime.newManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new OnnxStage(manager, model, "", null, null));
            assertTrue(e.getMessage().contains("input 'x' has shape [?, ?] with unknown example dimensions"), e.getMessage());
            OnnxStage stage = new OnnxStage(manager, model, "", new Shape(3), new Shape(2));
            assertArrayEquals(OrtRunner.run(affineSigmoid(), x, 1, 3),
                    stage.apply(manager.create(x, new Shape(1, 3)), ForwardContext.inference(manager)).toFloatArray());
            IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                    () -> new OnnxStage(manager, model, "", new Shape(3), new Shape(5)));
            assertTrue(wrong.getMessage().contains("configured example shape (5) does not match the ONNX model's output 'y'"),
                    wrong.getMessage());
        }
    }

    @Test
    public void headTrainsOverTheFrozenStageAndRoundTrips() throws Exception {
        Path file = write("backbone.onnx", pretrained);
        Dataset<Label> train = SyntheticImages.dataset(200, FEATURES, SIZE, TestSeeds.of(102));
        Dataset<Label> test = SyntheticImages.dataset(80, FEATURES, SIZE, TestSeeds.of(103));
        OnnxBackboneSpec spec = new OnnxBackboneSpec(file, head());
        assertEquals(new Shape(SIZE * SIZE), spec.inputShape());
        assertEquals(NetworkProvenance.sha256(pretrained), spec.onnxModelSha256());
        NetworkTrainer trainer = new NetworkTrainer(spec, new AdamOptimiserFactory(0.02), 4, 32, TestSeeds.of(9));
        NetworkModel model = trainer.train(train);
        double accuracy = new LabelEvaluator().evaluate(model, test).accuracy();
        assertTrue(accuracy > 0.9, "accuracy " + accuracy);

        float[] features = new FeatureTensorizer(model.getFeatureIDMap(), new Shape(SIZE * SIZE)).toArray(test.getData());
        float[] direct = OrtRunner.run(pretrained, features, test.size(), SIZE * SIZE);
        try (Network network = model.newNetwork(); NDManager manager = network.manager().newSubManager()) {
            assertEquals(List.of("backbone", "fc1", "act1", "head"), List.copyOf(network.root().children().keySet()));
            assertEquals(Set.of("fc1.weight", "fc1.bias", "head.weight", "head.bias"), network.parameters().keySet());
            assertEquals(network.countWeights(false), network.countWeights(true));
            OnnxStage stage = (OnnxStage) network.layer("backbone");
            NDArray batch = manager.create(features, new Shape(test.size(), SIZE * SIZE));
            assertArrayEquals(direct, stage.apply(batch, ForwardContext.inference(manager)).toFloatArray(),
                    "the trained model's stage is still exactly the pre-trained ONNX model");
            NDArray wantsGradient = batch.duplicate();
            wantsGradient.setRequiresGradient(true);
            try (GradientMode ignored = GradientMode.enabled()) {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> network.forward(wantsGradient, ForwardContext.training(manager)));
                assertTrue(e.getMessage().contains("'backbone' is a frozen ONNX stage"), e.getMessage());
            }
        }

        UnsupportedOperationException export = assertThrows(UnsupportedOperationException.class,
                () -> model.exportONNXModel("org.tribuoadapt.test", 1));
        assertTrue(export.getMessage().contains("layer 'backbone'") && export.getMessage().contains("frozen ONNX stage"),
                export.getMessage());

        Helpers.testModelProtoSerialization(model, Label.class, test);
        Helpers.testModelSerialization(model, Label.class);
        Helpers.testProvenanceMarshalling(model.getProvenance());
        Helpers.testConfigurableRoundtrip(spec);
        Helpers.testConfigurableRoundtrip(trainer);

        // the stored model keeps working once the ONNX file is gone
        byte[] stored = model.serialize().toByteArray();
        Files.delete(file);
        Model<?> restored = Model.deserialize(ModelProto.parseFrom(stored));
        @SuppressWarnings("unchecked")
        List<Prediction<Label>> after = ((Model<Label>) restored).predict(test);
        List<Prediction<Label>> before = model.predict(test);
        for (int i = 0; i < before.size(); i++) {
            assertEquals(before.get(i).getOutput().getLabel(), after.get(i).getOutput().getLabel());
            assertEquals(before.get(i).getOutput().getScore(), after.get(i).getOutput().getScore(), 1e-7);
        }
        NetworkSpec rebuilt = ConfiguredObjects.instantiate(spec.getProvenance(), NetworkSpec.class);
        IllegalStateException missing = assertThrows(IllegalStateException.class, () -> rebuilt.assemble(FEATURES));
        assertTrue(missing.getMessage().contains("not available"), missing.getMessage());
    }

    @Test
    public void configuresFromOlcutXml() throws Exception {
        Path onnx = write("backbone.onnx", pretrained);
        Path xml = write("onnx-head.xml", ("<config>\n"
                + "  <component name=\"network\" type=\"org.tribuoadapt.onnx.OnnxBackboneSpec\">\n"
                + "    <property name=\"onnxModel\" value=\"" + onnx + "\"/>\n"
                + "    <property name=\"head\" value=\"head\"/>\n"
                + "  </component>\n"
                + "  <component name=\"head\" type=\"org.tribuoadapt.core.nn.spec.MLPSpec\">\n"
                + "    <property name=\"inputSize\" value=\"3\"/>\n"
                + "    <propertylist name=\"hiddenSizes\"><item>16</item></propertylist>\n"
                + "  </component>\n"
                + "</config>\n").getBytes(StandardCharsets.UTF_8));
        ConfigurationManager cm = new ConfigurationManager(xml.toString());
        OnnxBackboneSpec spec = (OnnxBackboneSpec) cm.lookup("network");
        assertEquals(NetworkProvenance.sha256(pretrained), spec.onnxModelSha256());
        assertEquals(new Shape(SIZE * SIZE), spec.inputShape());
        assertEquals(new Shape(FEATURES), spec.head().inputShape());
    }

    @Test
    public void trainingLeavesTheStageAndOnlyTheHeadChanges() throws Exception {
        Path file = write("backbone.onnx", pretrained);
        Dataset<Label> train = SyntheticImages.dataset(64, FEATURES, SIZE, 104);
        OnnxBackboneSpec spec = new OnnxBackboneSpec(file, head());
        NetworkModel first = new NetworkTrainer(spec, new AdamOptimiserFactory(0.02), 1, 32, 9L).train(train);
        NetworkModel tuned = new NetworkTrainer(spec, new AdamOptimiserFactory(0.02), 2, 32, 9L)
                .fineTune(train, first, Map.of());
        assertEquals(first.stateDict().keySet(), tuned.stateDict().keySet());
        for (String name : first.stateDict().keySet()) {
            assertTrue(name.startsWith("fc1.") || name.startsWith("head."), name);
            assertNotEquals(Arrays.toString(first.stateDict().get(name).toFloatArray()),
                    Arrays.toString(tuned.stateDict().get(name).toFloatArray()), name + " must have been trained");
        }
        assertArrayEquals(pretrained, tuned.spec().resources().get(OnnxBackboneSpec.MODEL_RESOURCE));
    }

    @Test
    public void predictionIsThreadSafe() throws Exception {
        Dataset<Label> train = SyntheticImages.dataset(40, FEATURES, SIZE, 105);
        NetworkModel model = new NetworkTrainer(new OnnxBackboneSpec(write("b.onnx", pretrained), head()),
                new AdamOptimiserFactory(0.02), 1, 32, 9L).train(train);
        List<Prediction<Label>> expected = model.predict(train);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Prediction<Label>>>> runs = pool.invokeAll(List.of(
                    () -> model.predict(train), () -> model.predict(train), () -> model.predict(train), () -> model.predict(train)));
            for (Future<List<Prediction<Label>>> run : runs) {
                List<Prediction<Label>> actual = run.get();
                for (int i = 0; i < expected.size(); i++) {
                    assertEquals(expected.get(i).getOutput().getScore(), actual.get(i).getOutput().getScore(), 0.0);
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    public void badModelsAndShapesAreClearErrors() throws Exception {
        Path missing = dir.resolve("missing.onnx");
        PropertyException e = assertThrows(PropertyException.class, () -> new OnnxBackboneSpec(missing, head()));
        assertTrue(e.getMessage().contains("'" + missing + "' does not exist"), e.getMessage());

        Path corrupt = write("corrupt.onnx", Arrays.copyOf(pretrained, pretrained.length / 2));
        e = assertThrows(PropertyException.class, () -> new OnnxBackboneSpec(corrupt, head()));
        assertTrue(e.getMessage().contains("is not usable as a frozen stage"), e.getMessage());
        assertTrue(e.getMessage().contains("ONNX Runtime cannot load the model"), e.getMessage());

        Path file = write("backbone.onnx", pretrained);
        e = assertThrows(PropertyException.class,
                () -> new OnnxBackboneSpec(file, new MLPSpec(FEATURES + 1, new int[] {8}, Activation.RELU, 0.0)));
        assertTrue(e.getMessage().contains("expects input (4)") && e.getMessage().contains("gives (3) per example"), e.getMessage());

        try (NDManager manager = DjlRuntime.newManager()) {
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                    () -> new OnnxStage(manager, pretrained, "", new Shape(1, 4, 16), null));
            assertTrue(shape.getMessage().contains("does not match the ONNX model's input 'input' of shape [?, 64]"),
                    shape.getMessage());
            IllegalArgumentException output = assertThrows(IllegalArgumentException.class,
                    () -> new OnnxStage(manager, pretrained, "probabilities", null, null));
            assertTrue(output.getMessage().contains("no output 'probabilities'; its outputs are [output]"), output.getMessage());
        }

        OnnxBackboneSpec spec = new OnnxBackboneSpec(file, head());
        byte[] tampered = pretrained.clone();
        tampered[tampered.length - 1] ^= 1;
        IllegalArgumentException stored = assertThrows(IllegalArgumentException.class,
                () -> spec.withResources(Map.of(OnnxBackboneSpec.MODEL_RESOURCE, tampered)));
        assertTrue(stored.getMessage().contains("but the spec expects " + spec.onnxModelSha256()), stored.getMessage());
        IllegalArgumentException wrongName = assertThrows(IllegalArgumentException.class,
                () -> spec.withResources(Map.of("weights", pretrained)));
        assertTrue(wrongName.getMessage().contains("found [weights]"), wrongName.getMessage());
    }
}
