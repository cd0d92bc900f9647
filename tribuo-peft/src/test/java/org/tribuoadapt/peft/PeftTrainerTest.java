package org.tribuoadapt.peft;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.peft.lora.LoraSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class PeftTrainerTest {

    private static final int SIZE = 8;
    private static final MLPSpec NET = new MLPSpec(SIZE * SIZE, new int[] {16}, Activation.RELU, 0.0);

    private static NetworkModel base;
    private static MutableDataset<Label> target;
    private static MutableDataset<Label> targetTest;

    @BeforeAll
    public static void trainBase() {
        base = new NetworkTrainer(NET, new AdamOptimiserFactory(0.01), 2, 32, TestSeeds.of(1))
                .train(SyntheticImages.dataset(120, 3, SIZE, TestSeeds.of(1)));
        target = SyntheticImages.dataset(90, 3, SIZE, TestSeeds.of(2));
        targetTest = SyntheticImages.dataset(60, 3, SIZE, TestSeeds.of(3));
    }

    private static PeftTrainer trainer(AdapterSpec spec, long seed) {
        return new PeftTrainer(spec, new AdamOptimiserFactory(0.02), 3, 16, seed);
    }

    private static LoraSpec lora() {
        return new LoraSpec(AdapterTargets.modules("fc1").saving("head"), 2, 4);
    }

    static double accuracy(Model<Label> model, Dataset<Label> test) {
        return new LabelEvaluator().evaluate(model, test).accuracy();
    }

    public static void assertSamePredictions(Model<Label> expected, Model<Label> actual, Dataset<Label> data, double tolerance) {
        List<Prediction<Label>> a = expected.predict(data);
        List<Prediction<Label>> b = actual.predict(data);
        for (int i = 0; i < a.size(); i++) {
            for (Map.Entry<String, Label> e : a.get(i).getOutputScores().entrySet()) {
                assertEquals(e.getValue().getScore(), b.get(i).getOutputScores().get(e.getKey()).getScore(), tolerance);
            }
        }
    }

    @Test
    public void trainsAnAdapterOnTheFrozenBase() {
        PeftModel model = trainer(lora(), TestSeeds.of(5)).train(target, base);
        assertTrue(accuracy(model, targetTest) > 0.8, "accuracy " + accuracy(model, targetTest));
        assertArrayEquals(base.weightBytes(), model.baseWeightBytes(), "the base is stored unchanged");
        assertEquals(List.of("default"), model.adapterNames());
        assertEquals(Map.of("fc1", 2), model.ranks("default"));
        // 2 (64 + 16) LoRA values on fc1 plus the head's 16 x 3 + 3; all = base + adapter + head copy
        long trainable = 2 * (64 + 16) + 16 * 3 + 3;
        long all = (64 * 16 + 16) + (16 * 3 + 3) + trainable;
        TrainableSummary summary = model.trainableSummary();
        assertEquals(new TrainableSummary(trainable, all), summary);
        assertEquals(String.format(java.util.Locale.ROOT, "trainable params: %,d || all params: %,d || trainable%%: %.4f",
                trainable, all, 100.0 * trainable / all), summary.toString());
        assertEquals("trainable params: 211 || all params: 1,302 || trainable%: 16.2058", summary.toString());
        Map<String, ? extends com.oracle.labs.mlrg.olcut.provenance.Provenance> run = model.getProvenance().getInstanceProvenance().getMap();
        assertEquals(org.tribuoadapt.core.model.NetworkProvenance.sha256(base.weightBytes()),
                run.get(PeftProvenance.BASE_WEIGHTS_SHA256).toString());
        assertEquals("211", run.get(PeftProvenance.TRAINABLE_PARAMETERS).toString());
        assertTrue(run.containsKey("adapter.default.spec") && run.containsKey("adapter.default.ranks"), run.keySet().toString());
    }

    @Test
    public void sameSeedGivesIdenticalAdapters() {
        Map<String, TensorData> first = trainer(lora(), 9L).train(target, base).adapterTensors("default");
        Map<String, TensorData> second = trainer(lora(), 9L).train(target, base).adapterTensors("default");
        Map<String, TensorData> other = trainer(lora(), 10L).train(target, base).adapterTensors("default");
        assertEquals(first, second);
        assertNotEquals(first, other);
    }

    @Test
    public void modelRoundTripsAndMergesToAPlainNetwork(@TempDir Path dir) throws Exception {
        PeftModel model = trainer(lora(), 5L).train(target, base);
        Helpers.testModelProtoSerialization(model, Label.class, targetTest);
        Helpers.testProvenanceMarshalling(model.getProvenance());
        NetworkModel merged = model.merge();
        assertSamePredictions(model, merged, targetTest, 1e-5);
        Helpers.testProvenanceMarshalling(merged.getProvenance());
        PeftModel inPlace = model.mergeAdapters();
        assertTrue(inPlace.isMerged());
        assertSamePredictions(model, inPlace, targetTest, 1e-5);
        assertSamePredictions(model, inPlace.unmergeAdapters(), targetTest, 0);
        assertThrows(IllegalStateException.class, () -> inPlace.withActiveAdapters(List.of()));
        // PEFT files: save, load onto the same base, same predictions
        model.saveAdapter("default", dir.resolve("adapter"));
        PeftModel reloaded = PeftModel.of(base).loadAdapter("mine", dir.resolve("adapter")).withActiveAdapters(List.of("mine"));
        assertSamePredictions(model, reloaded, targetTest, 0);
        Helpers.testModelProtoSerialization(reloaded, Label.class, targetTest);
    }

    @Test
    public void managesSeveralNamedAdapters() {
        PeftModel a = trainer(lora(), 5L).train(target, base);
        PeftModel b = new PeftTrainer(new LoraSpec(AdapterTargets.modules("fc1").saving("head"), 3, 3), "second",
                new AdamOptimiserFactory(0.02), 2, 16, 6L, 0, 0, 1).train(target, base);
        PeftModel both = a.withAdapterFrom(b, "second", "b");
        assertEquals(List.of("default", "b"), both.adapterNames());
        assertEquals(List.of("default"), both.activeAdapters());
        assertSamePredictions(a, both, targetTest, 1e-6);
        assertSamePredictions(b, both.withActiveAdapters(List.of("b")), targetTest, 1e-6);
        assertSamePredictions(PeftModel.of(base), both.withAdaptersEnabled(false), targetTest, 1e-6);
        assertSamePredictions(base, both.withAdaptersEnabled(false), targetTest, 1e-6);
        PeftModel onlyB = both.withoutAdapter("default").withActiveAdapters(List.of("b"));
        assertEquals(List.of("b"), onlyB.adapterNames());
        assertSamePredictions(b, onlyB, targetTest, 1e-6);
        IllegalArgumentException clash = assertThrows(IllegalArgumentException.class,
                () -> both.withActiveAdapters(List.of("default", "b")));
        assertTrue(clash.getMessage().contains("both train module 'head'"), clash.getMessage());
        assertThrows(IllegalArgumentException.class, () -> both.withActiveAdapters(List.of("nope")));
        Helpers.testModelProtoSerialization(both, Label.class, targetTest);
    }

    @Test
    public void continuesTrainingFromSavedAdapters(@TempDir Path dir) throws Exception {
        PeftModel first = trainer(lora(), 5L).train(target, base);
        first.saveAdapter("default", dir.resolve("a"));
        Path baseFile = dir.resolve("base.safetensors");
        base.exportWeights(baseFile);
        PeftTrainer resume = PeftTrainer.resuming(dir.resolve("a"), new AdamOptimiserFactory(1e-9), 1, 16, 3L)
                .withBaseWeights(NET, baseFile);
        PeftModel resumed = resume.train(target);
        assertSamePredictions(first, resumed, targetTest, 1e-4);
        assertTrue(resumed.getProvenance().getInstanceProvenance().getMap().containsKey(PeftProvenance.INITIAL_ADAPTER_SHA256));
        PeftModel warm = new PeftTrainer(lora(), new AdamOptimiserFactory(1e-9), 1, 16, 3L).train(target, first, "default");
        assertSamePredictions(first, warm, targetTest, 1e-4);
        Helpers.testConfigurableRoundtrip(resume);
    }

    @Test
    public void baseFromAModelFileIsReproducibleFromProvenance(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("base.tribuo");
        base.serializeToFile(file);
        PeftTrainer trainer = trainer(lora(), 5L).withBaseModel(file);
        PeftModel fromFile = trainer.train(target);
        assertSamePredictions(trainer(lora(), 5L).train(target, base), fromFile, targetTest, 0);
        Map<String, ? extends com.oracle.labs.mlrg.olcut.provenance.Provenance> run =
                fromFile.getProvenance().getInstanceProvenance().getMap();
        assertEquals(org.tribuoadapt.core.model.NetworkProvenance.sha256(java.nio.file.Files.readAllBytes(file)),
                run.get(PeftProvenance.BASE_FILE_SHA256).toString());
        assertEquals(base.getProvenance(), run.get(PeftTrainer.BASE_MODEL));
        assertEquals(file.toString(), fromFile.getProvenance().getTrainerProvenance().getConfiguredParameters()
                .get("baseModel").toString());
        Helpers.testConfigurableRoundtrip(trainer);
    }

    @Test
    public void continuesTrainingAnAdapterWrittenByPeft() throws Exception {
        // the fixture base is Linear(16, 32) -> Linear(32, 32) -> Linear(32, 5) with PEFT's LoRA on fc1 and fc2
        MutableDataset<Label> data = vectors(40, 16, 5);
        PeftTrainer trainer = PeftTrainer.resuming(HuggingFacePeftInteropTest.fixture("mlp_lora/adapter"),
                new AdamOptimiserFactory(0.01), 2, 8, 1L).withBaseWeights(new MLPSpec(16, new int[] {32, 32}, Activation.RELU, 0.0),
                HuggingFacePeftInteropTest.fixture("mlp_lora/base_model.safetensors"));
        PeftModel model = trainer.train(data);
        assertEquals(Map.of("fc1", 4, "fc2", 4), model.ranks("default"));
        Map<String, TensorData> tensors = model.adapterTensors("default");
        assertEquals(4, tensors.size());
        assertTrue(tensors.containsKey("base_model.model.fc2.lora_B.weight"));
    }

    private static MutableDataset<Label> vectors(int n, int features, int classes) {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> out = new MutableDataset<>(new SimpleDataSourceProvenance("vectors", factory), factory);
        String[] names = new String[features];
        for (int i = 0; i < features; i++) {
            names[i] = String.format("f%02d", i);
        }
        SplittableRandom rng = new SplittableRandom(4);
        for (int i = 0; i < n; i++) {
            double[] values = new double[features];
            for (int j = 0; j < features; j++) {
                values[j] = rng.nextDouble() - 0.5 + (j % classes == i % classes ? 1 : 0);
            }
            out.add(new ArrayExample<>(new Label("k" + (i % classes)), names, values));
        }
        return out;
    }

    @Test
    public void trainsANewHeadForAnotherNumberOfClasses() {
        MutableDataset<Label> two = SyntheticImages.dataset(60, 2, SIZE, 8);
        PeftModel model = trainer(lora(), 5L).train(two, base);
        assertEquals(2, model.getOutputIDInfo().size());
        assertSamePredictions(model, model.merge(), two, 1e-5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> trainer(new LoraSpec(AdapterTargets.modules("fc1"), 2, 4), 5L).train(two, base));
        assertEquals("the base network has 3 outputs but the data has 2 labels; list the output layer 'head' in "
                + "modulesToSave to train a new head", e.getMessage());
    }

    @Test
    public void badInputGetsClearErrors() {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> empty = new MutableDataset<>(new SimpleDataSourceProvenance("empty", factory), factory);
        assertEquals("the training dataset is empty",
                assertThrows(IllegalArgumentException.class, () -> trainer(lora(), 1L).train(empty, base)).getMessage());
        MutableDataset<Label> wrongShape = SyntheticImages.dataset(20, 3, 5, 1);
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> trainer(lora(), 1L).train(wrongShape, base));
        assertTrue(shape.getMessage().contains("25") && shape.getMessage().contains("64"), shape.getMessage());
        PropertyException noAdapter = assertThrows(PropertyException.class,
                () -> new PeftTrainer(null, new AdamOptimiserFactory(0.1), 1, 8, 1L));
        assertTrue(noAdapter.getMessage().contains("configure an adapter"), noAdapter.getMessage());
        PropertyException epochs = assertThrows(PropertyException.class,
                () -> new PeftTrainer(lora(), new AdamOptimiserFactory(0.1), 0, 8, 1L));
        assertTrue(epochs.getMessage().contains("epochs >= 1"), epochs.getMessage());
        IllegalStateException noBase = assertThrows(IllegalStateException.class, () -> trainer(lora(), 1L).train(target));
        assertTrue(noBase.getMessage().startsWith("no base network configured"), noBase.getMessage());
        Example<Label> unknown = new ArrayExample<>(new Label("zz"), SyntheticImages.featureNames(64), new double[64]);
        MutableDataset<Label> withUnknown = SyntheticImages.dataset(30, 3, SIZE, 9);
        withUnknown.add(unknown);
        PeftModel model = trainer(lora(), 5L).train(target, base);
        IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
                () -> trainer(lora(), 1L).train(withUnknown, model, "default"));
        assertTrue(label.getMessage().contains("'zz'"), label.getMessage());
        assertFalse(model.adapterNames().isEmpty());
    }
}
