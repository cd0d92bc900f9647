package org.tribuoadapt.examples;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.model.LogitNetwork;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftModel;
import org.tribuoadapt.peft.PeftTrainer;
import org.tribuoadapt.peft.lora.LoraSpec;
import org.tribuoadapt.robust.attack.AttackNorm;
import org.tribuoadapt.robust.attack.DifferentiableModel;
import org.tribuoadapt.robust.attack.pgd.PGDAttack;
import org.tribuoadapt.robust.evaluation.RobustnessEvaluation;
import org.tribuoadapt.robust.evaluation.RobustnessEvaluator;
import org.tribuoadapt.tta.method.AdaptationContext;
import org.tribuoadapt.tta.method.AdaptationSession;
import org.tribuoadapt.tta.method.AdaptedParameters;
import org.tribuoadapt.tta.method.NormAffineMethod;
import org.tribuoadapt.tta.method.NormAffineSession;
import org.tribuoadapt.tta.method.tent.Tent;
import org.tribuoadapt.tta.testing.TtaFixtures;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A PeftModel is a network model like any other for the robustness and test-time modules: it is attacked and adapted
 * as it predicts, with its adapter unmerged. The modules never see each other; the application joins them here.
 */
public class UnmergedAdapterModelTest {

    /** The norm layers' scales and shifts; the adapter framework wraps every base layer ({@code bn1.base_layer}). */
    private static final Set<String> NORM_AFFINE = Set.of("bn1.base_layer.weight", "bn1.base_layer.bias",
            "bn2.base_layer.weight", "bn2.base_layer.bias");

    private static PeftModel peft;

    @BeforeAll
    public static void trainALoraOnTheCnn() {
        // LoRA on the hidden layer of TTA's small CNN (two conv + BatchNorm blocks, fc1, head)
        peft = new PeftTrainer(new LoraSpec(AdapterTargets.modules("fc1"), 2, 4), new AdamOptimiserFactory(0.01), 2, 32,
                TestSeeds.of(3)).train(TtaFixtures.train(), TtaFixtures.cnn());
        assertFalse(peft.isMerged());
    }

    @Test
    public void pgdAttacksTheUnmergedAdapterModel() {
        Set<String> adapter = peft.adapterParameters();
        assertFalse(adapter.isEmpty());
        try (LogitNetwork attacked = DifferentiableModel.of(peft).orElseThrow().newClassifier()) {
            assertTrue(attacked.networks().get(0).parameters().keySet().containsAll(adapter),
                    "the attacked network carries the adapter " + adapter);
        }
        RobustnessEvaluation e = new RobustnessEvaluator(List.of(new PGDAttack(AttackNorm.LINF, 0.5, 10)),
                TestSeeds.of(4)).evaluate(peft, TtaFixtures.test(60));
        assertTrue(e.cleanAccuracy() > 0.6, e.toString());
        assertTrue(e.outcomes().get(0).accuracy() < e.cleanAccuracy(), e.toString());
    }

    @Test
    public void tentAdaptsTheNormLayersUnderTheAdapter() {
        List<String> changed = adaptTwice(Tent.withDefaults());
        assertEquals(NORM_AFFINE, Set.copyOf(changed), "Tent changed " + changed);
    }

    @Test
    public void tentAdaptsTheAdapterItself() {
        List<String> changed = adaptTwice(Tent.withDefaults().withAdaptedParameters(AdaptedParameters.ADAPTER));
        assertFalse(changed.isEmpty(), "Tent changed nothing");
        assertTrue(peft.adapterParameters().containsAll(changed), "Tent changed " + changed);
    }

    @Test
    public void adaptingAnAdapterNeedsOne() {
        NetworkModel plain = TtaFixtures.cnn();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                Tent.withDefaults().withAdaptedParameters(AdaptedParameters.ADAPTER).start(plain,
                        new AdaptationContext(16, 1000, null)));
        assertTrue(e.getMessage().contains("adapts the model's adapter parameters") && e.getMessage().contains("has none"),
                e.getMessage());
    }

    /** Runs a method on two shifted batches and names the weights that changed. */
    private static List<String> adaptTwice(NormAffineMethod method) {
        float[] x = TtaFixtures.shiftedInputs(16, "fog", 5);
        try (AdaptationSession session = method.start(peft, new AdaptationContext(16, 1000, null))) {
            Map<String, TensorData> before = ((NormAffineSession) session).network().stateDict();
            session.predict(x, 16);
            session.predict(x, 16);
            Map<String, TensorData> after = ((NormAffineSession) session).network().stateDict();
            List<String> changed = new ArrayList<>();
            for (String name : before.keySet()) {
                TensorData a = before.get(name);
                if (a.dtype().name().startsWith("F") && !Arrays.equals(a.toFloatArray(), after.get(name).toFloatArray())) {
                    changed.add(name);
                }
            }
            return changed;
        }
    }
}
