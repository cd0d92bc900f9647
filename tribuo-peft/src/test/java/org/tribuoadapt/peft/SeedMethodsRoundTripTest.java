package org.tribuoadapt.peft;

import org.tribuoadapt.core.testing.TestSeeds;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.safetensors.SafetensorsWriter;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.peft.atlas.AtlasSpec;
import org.tribuoadapt.peft.bitfit.BitFitSpec;
import org.tribuoadapt.peft.diffusekrona.DiffuseKronASpec;
import org.tribuoadapt.peft.poly.AveragedRouting;
import org.tribuoadapt.peft.poly.PolySpec;
import org.tribuoadapt.peft.flora.FloraSpec;
import org.tribuoadapt.peft.hydra.HydraSpec;
import org.tribuoadapt.peft.loldu.LolduSpec;
import org.tribuoadapt.peft.layertuning.LayerTuningSpec;
import org.tribuoadapt.peft.normtuning.NormTuningSpec;
import org.tribuoadapt.peft.randlora.RandLoraSpec;
import org.tribuoadapt.peft.increlora.IncreLoraSpec;
import org.tribuoadapt.peft.sora.SoraSpec;
import org.tribuoadapt.peft.svfit.SvfitSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Trains every seed method with {@link PeftTrainer} on a small CNN (a new head for a fourth class) and checks the Tribuo
 * round trips of the model (protobuf, provenance) and of the spec and trainer (configuration), that the merged network
 * predicts the same, and that the model records the adapter in its exported form.
 */
public class SeedMethodsRoundTripTest {

    private static final CNNSpec NET = new CNNSpec(1, 8, 8, new int[] {3, 4}, true, 2, new int[] {8});
    private static final AdapterTargets LAYERS = AdapterTargets.modules("conv1", "conv2", "fc1").saving("head");
    @TempDir
    static Path dir;
    private static NetworkModel base;
    private static MutableDataset<Label> data;
    private static List<Path> fineTuned;

    @BeforeAll
    public static void trainBase() throws IOException {
        base = new NetworkTrainer(NET, new AdamOptimiserFactory(0.01), 1, 32, TestSeeds.of(1))
                .train(SyntheticImages.dataset(60, 3, 8, TestSeeds.of(1)));
        data = SyntheticImages.dataset(24, 4, 8, TestSeeds.of(2));
        fineTuned = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            try (Network other = NET.build(3, 50L + t)) {
                Path file = dir.resolve("task" + t + ".safetensors");
                SafetensorsWriter.write(file, other.stateDict(), Map.of());
                fineTuned.add(file);
            }
        }
    }

    static Stream<Arguments> adapters() {
        return Stream.of(
                Arguments.of(new HydraSpec(LAYERS, 2, 0.5, 0.1)),
                Arguments.of(new RandLoraSpec(AdapterTargets.modules("fc1").saving("head"), 2, 4, 3, false, true, false, 0.1, true)),
                Arguments.of(new SvfitSpec(LAYERS, 2)),
                Arguments.of(new LolduSpec(LAYERS, 2, 1.0)),
                Arguments.of(new FloraSpec(LAYERS, 2, 2, 1.0, 0.1)),
                Arguments.of(new SoraSpec(LAYERS, 2, 4)),
                Arguments.of(new IncreLoraSpec(LAYERS, 1, 2, 3, 0, 1, 1)),
                Arguments.of(new DiffuseKronASpec(LAYERS, 0, 0, 1.0)),
                Arguments.of(new PolySpec(AdapterTargets.modules("fc1").saving("head"), 2, 2, 3, 2, 1, true)),
                Arguments.of(new BitFitSpec(AdapterTargets.pattern("conv\\d|bn\\d|fc1").saving("head"))),
                Arguments.of(new NormTuningSpec(AdapterTargets.pattern("bn\\d").saving("head"))),
                Arguments.of(new LayerTuningSpec(AdapterTargets.modules("fc1").saving("head"))),
                Arguments.of(new AtlasSpec(AdapterTargets.pattern("conv\\d|bn\\d|fc1").saving("head"), fineTuned)));
    }

    @ParameterizedTest
    @MethodSource("adapters")
    public void modelSpecAndTrainerRoundTrip(AdapterSpec spec) {
        PeftTrainer trainer = new PeftTrainer(spec, new AdamOptimiserFactory(0.01), 1, 16, 4L);
        PeftModel model = trainer.train(data, base);
        Helpers.testModelProtoSerialization(model, Label.class, data);
        Helpers.testProvenanceMarshalling(model.getProvenance());
        Helpers.testConfigurableRoundtrip(spec);
        Helpers.testConfigurableRoundtrip(trainer);
        PeftTrainerTest.assertSamePredictions(model, model.merge(), data, 1e-5);
        Map<String, ? extends Provenance> run = model.getProvenance().getInstanceProvenance().getMap();
        assertEquals(model.adapterSpec("default").getProvenance(), run.get("adapter.default.spec"));
        assertEquals(spec.getProvenance(), model.getProvenance().getTrainerProvenance().getConfiguredParameters().get("adapter"));
    }

    /**
     * Multi-task training cycles the tasks by re-routing one inventory; MHR-mu's LoRA predicts as the averaged routing.
     */
    @Test
    public void polyTrainsTaskAfterTaskAndCollapsesToTheAveragedRouting() {
        PolySpec spec = new PolySpec(AdapterTargets.modules("fc1").saving("head"), 2, 2, 3, 2, 0, true);
        PeftTrainer trainer = new PeftTrainer(spec, new AdamOptimiserFactory(0.01), 1, 16, 4L);
        PeftModel model = trainer.train(data, base);
        // the trainer continues "task1" and returns it as its own adapter, "default"
        model = trainer.train(data, model.withAdapter("task1", spec.forTask(1), model.adapterTensors("default")), "task1");
        assertEquals(1, ((PolySpec) model.adapterSpec("default")).task());
        PeftModel withMu = AveragedRouting.collapse(model, "default", "mu");
        assertEquals("LORA", withMu.adapterSpec("mu").peftType());
        PeftModel averaged = withMu.withAdapter("z", spec.forTask(PolySpec.AVERAGE_OF_TASKS), model.adapterTensors("default"));
        PeftTrainerTest.assertSamePredictions(averaged.withActiveAdapters(List.of("z")),
                averaged.withActiveAdapters(List.of("mu")), data, 1e-5);
    }

    @Test
    public void trainedSoraModelsKeepOnlyTheirNonzeroRanks() {
        SoraSpec spec = new SoraSpec(AdapterTargets.modules("fc1").saving("head"), 6, 12, 0.0, 0.0, 0.2, 0.0);
        PeftModel model = new PeftTrainer(spec, new AdamOptimiserFactory(0.01), 2, 8, TestSeeds.of(4)).train(data, base);
        int rank = model.ranks("default").get("fc1");
        assertTrue(rank < 6, "the threshold prunes ranks, found " + rank);
        assertArrayEquals(new long[] {rank}, model.adapterTensors("default").get("base_model.model.fc1.sora_gate").shape());
        assertTrue(model.adapterSpec("default").toString().contains("moduleRanks={fc1=" + rank + "}"),
                model.adapterSpec("default").toString());
        Helpers.testModelProtoSerialization(model, Label.class, data);
        PeftTrainerTest.assertSamePredictions(model, model.merge(), data, 1e-5);
    }

    @Test
    public void trainedIncreLoraModelsRecordTheirRankAllocation() {
        // three modules from rank 1 to the budget 2 x 3, one rank to the top module after every step
        IncreLoraSpec spec = new IncreLoraSpec(LAYERS, 1, 2, 3, 0, 1, 1);
        PeftModel model = new PeftTrainer(spec, new AdamOptimiserFactory(0.01), 1, 8, TestSeeds.of(4)).train(data, base);
        Map<String, Integer> ranks = model.ranks("default");
        assertEquals(6, ranks.values().stream().mapToInt(Integer::intValue).sum(), ranks.toString());
        String recorded = model.getProvenance().getInstanceProvenance().getMap().get("adapter.default.spec").toString();
        for (Map.Entry<String, Integer> e : ranks.entrySet()) {
            assertTrue(recorded.contains(e.getKey() + "=" + e.getValue()), e + " in " + recorded);
            assertArrayEquals(new long[] {e.getValue()}, model.adapterTensors("default")
                    .get("base_model.model." + e.getKey() + ".lora_E").shape(), "export keeps the used rows");
        }
        Helpers.testModelProtoSerialization(model, Label.class, data);
        PeftTrainerTest.assertSamePredictions(model, model.merge(), data, 1e-5);
    }
}
