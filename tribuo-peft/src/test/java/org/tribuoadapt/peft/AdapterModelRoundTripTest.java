package org.tribuoadapt.peft;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.peft.ia3.IA3Spec;
import org.tribuoadapt.peft.loha.LoHaSpec;
import org.tribuoadapt.peft.lokr.LoKrSpec;
import org.tribuoadapt.peft.lora.LoraInit;
import org.tribuoadapt.peft.lora.LoraSpec;
import org.tribuoadapt.peft.lycoris.LycorisOptions;
import org.tribuoadapt.peft.vera.VeraSpec;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Trains every adapter method with {@link PeftTrainer} on a small CNN and checks the Tribuo round trips of the model
 * (protobuf, provenance), of the trainer and spec (configuration), and that the merged network predicts the same.
 */
public class AdapterModelRoundTripTest {

    private static final CNNSpec NET = new CNNSpec(1, 8, 8, new int[] {3, 4}, true, 2, new int[] {8});
    private static NetworkModel base;
    private static MutableDataset<Label> data;

    @BeforeAll
    public static void trainBase() {
        base = new NetworkTrainer(NET, new AdamOptimiserFactory(0.01), 1, 32, 1L).train(SyntheticImages.dataset(60, 3, 8, 1));
        data = SyntheticImages.dataset(30, 3, 8, 2);
    }

    static Stream<Arguments> adapters() {
        AdapterTargets convs = AdapterTargets.modules("conv1", "conv2", "fc1").saving("head");
        return Stream.of(
                Arguments.of(new LoraSpec(convs, 2, 4, 0.1, true, true, LoraInit.PISSA, Map.of("fc1", 3), Map.of())),
                Arguments.of(new IA3Spec(convs, List.of("fc1"))),
                Arguments.of(new LoHaSpec(convs, new LycorisOptions(2, 4, 0.1, 0.1, true, Map.of(), Map.of()), true)),
                Arguments.of(new LoKrSpec(convs, LycorisOptions.of(1, 2))),
                Arguments.of(new VeraSpec(AdapterTargets.modules("fc1").saving("head"), 4)));
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
        assertEquals(spec.getProvenance(), model.getProvenance().getInstanceProvenance().getMap().get("adapter.default.spec"));
        assertTrue(model.getProvenance().getTrainerProvenance().getConfiguredParameters().containsKey("adapter"));
    }
}
