package org.tribuoadapt.robust.weightspace;

import org.junit.jupiter.api.Test;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.robust.testing.RobustFixtures;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class TaskVectorTest {

    private static void assertWeights(NetworkModel expected, NetworkModel actual, double tolerance) {
        for (Map.Entry<String, TensorData> e : expected.stateDict().entrySet()) {
            assertArrayEquals(e.getValue().toFloatArray(), actual.stateDict().get(e.getKey()).toFloatArray(),
                    (float) tolerance, e.getKey());
        }
    }

    @Test
    public void extractAddRemoveAndCompose() {
        List<NetworkModel> models = ModelSoupTest.ingredients();
        NetworkModel origin = models.get(3);
        NetworkModel slow = models.get(0);
        NetworkModel fast = models.get(2);
        TaskVector toSlow = TaskVector.extract(origin, slow);
        TaskVector toFast = TaskVector.extract(origin, fast);
        // theta_origin + (theta_tuned - theta_origin) = theta_tuned, up to float rounding
        assertWeights(slow, toSlow.applyTo(origin), 1e-6);
        // removing what was added gives the start back
        assertWeights(origin, toSlow.removeFrom(toSlow.applyTo(origin)), 1e-6);
        // a zero scale changes nothing
        assertArrayEquals(origin.stateDict().get("head.bias").toFloatArray(),
                toSlow.scale(0).applyTo(origin).stateDict().get("head.bias").toFloatArray(), 0f);
        // composition is linear: theta + 0.5 tau_1 + 2 tau_2
        NetworkModel composed = TaskVector.compose(origin, List.of(toSlow, toFast), new double[] {0.5, 2.0});
        float[] o = origin.stateDict().get("fc1.weight").toFloatArray();
        float[] s = slow.stateDict().get("fc1.weight").toFloatArray();
        float[] f = fast.stateDict().get("fc1.weight").toFloatArray();
        float[] c = composed.stateDict().get("fc1.weight").toFloatArray();
        for (int i = 0; i < c.length; i += 37) {
            assertEquals(o[i] + 0.5 * (s[i] - o[i]) + 2.0 * (f[i] - o[i]), c[i], 1e-5);
        }
        assertEquals(Math.sqrt(toSlow.norm() * toSlow.norm() * 4), toSlow.scale(-2).norm(), 1e-6);
        Map<String, ?> instance = composed.getProvenance().getInstanceProvenance().getMap();
        assertTrue(instance.get(TaskVector.EXPRESSION).toString().contains("0.5 * ("), instance.get(TaskVector.EXPRESSION).toString());
        assertEquals(origin.getProvenance(), instance.get(TaskVector.BASE));
        assertEquals(fast.getProvenance(), instance.get(TaskVector.TERM + "1-tuned-model"));
        assertEquals("2.0", instance.get(TaskVector.TERM + "1-coefficient").toString());
        Helpers.testModelProtoSerialization(composed, Label.class, RobustFixtures.test());
    }

    @Test
    public void restrictionKeepsOnlyTheNamedLayers() {
        List<NetworkModel> models = ModelSoupTest.ingredients();
        TaskVector shallow = TaskVector.extract(models.get(3), models.get(2)).restrictTo(List.of("fc1"));
        assertEquals(java.util.Set.of("fc1.weight", "fc1.bias"), shallow.tensors().keySet());
        NetworkModel applied = shallow.applyTo(models.get(3));
        assertArrayEquals(models.get(3).stateDict().get("head.weight").toFloatArray(),
                applied.stateDict().get("head.weight").toFloatArray(), 0f);
        assertArrayEquals(models.get(2).stateDict().get("fc1.bias").toFloatArray(),
                applied.stateDict().get("fc1.bias").toFloatArray(), 1e-6f);
        assertTrue(shallow.expression().startsWith("1.0 * restrict[fc1]("), shallow.expression());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> shallow.restrictTo(List.of("conv9")));
        assertTrue(none.getMessage().contains("no tensor of the task vector belongs to the layers [conv9]"), none.getMessage());
    }

    @Test
    public void architecturesMustMatch() {
        NetworkModel other = new NetworkTrainer(new MLPSpec(64, new int[] {20}, Activation.RELU, 0.0),
                new AdamOptimiserFactory(0.01), 1, 32, 1L).train(RobustFixtures.train());
        List<NetworkModel> models = ModelSoupTest.ingredients();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                TaskVector.extract(models.get(3), other));
        assertTrue(e.getMessage().contains("the fine-tuned model has architecture"), e.getMessage());
        TaskVector vector = TaskVector.extract(models.get(3), models.get(0));
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> vector.applyTo(other));
        assertTrue(shape.getMessage().matches("tensor 'fc1\\.(bias|weight)' has shape \\[12.*\\] but the model's parameter has shape \\[20.*"),
                shape.getMessage());
    }
}
