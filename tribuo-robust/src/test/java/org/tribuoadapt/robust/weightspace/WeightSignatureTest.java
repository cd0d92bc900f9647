package org.tribuoadapt.robust.weightspace;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.robust.testing.RobustFixtures;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class WeightSignatureTest {

    private static NetworkModel template;

    /** A small CNN with BatchNorm (layers conv1, bn1, conv2, bn2, fc1, head), trained for one epoch. */
    private static synchronized NetworkModel template() {
        if (template == null) {
            template = new NetworkTrainer(RobustFixtures.cnn(), new AdamOptimiserFactory(0.01), 1, 32, 5L)
                    .train(RobustFixtures.train());
        }
        return template;
    }

    /** The template with every floating-point tensor moved by seeded noise (running variances kept positive). */
    private static NetworkModel perturbed(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, TensorData> weights = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : template().stateDict().entrySet()) {
            if (!e.getValue().dtype().isFloatingPoint()) {
                weights.put(e.getKey(), e.getValue());
                continue;
            }
            float[] v = e.getValue().toFloatArray();
            for (int i = 0; i < v.length; i++) {
                v[i] = e.getKey().endsWith("running_var") ? v[i] * (float) (1 + rng.nextDouble())
                        : v[i] + (float) (0.1 * (rng.nextDouble() - 0.5));
            }
            weights.put(e.getKey(), TensorData.ofFloats(e.getValue().shape(), v));
        }
        return WeightModels.build(template(), weights, "perturbed-" + seed, template().getProvenance().getDatasetProvenance(),
                Map.of());
    }

    private static float[] tensor(NetworkModel model, String name) {
        return model.stateDict().get(name).toFloatArray();
    }

    @Test
    public void projectionMatchesHandComputation() {
        // <(3,4),(1,0)> / <(1,0),(1,0)> = 3: (3,4) - 3 (1,0) = (0,4)
        assertArrayEquals(new float[] {0f, 4f}, WeightSignature.removeProjection(new float[] {3, 4}, new float[] {1, 0}), 0f);
        // <(1,2,3),(1,1,1)> / 3 = 2: (1,2,3) - 2 (1,1,1) = (-1,0,1)
        assertArrayEquals(new float[] {-1f, 0f, 1f},
                WeightSignature.removeProjection(new float[] {1, 2, 3}, new float[] {1, 1, 1}), 1e-6f);
        // a zero clean direction projects nothing out
        assertArrayEquals(new float[] {1f, -2f}, WeightSignature.removeProjection(new float[] {1, -2}, new float[] {0, 0}), 0f);
    }

    @Test
    public void signatureIsTheRobustDifferenceWithTheCleanDirectionRemoved() {
        NetworkModel pretrained = template();
        NetworkModel clean = perturbed(1);
        NetworkModel robust = perturbed(2);
        WeightSignature signature = WeightSignature.extract(pretrained, clean, robust, 2);
        for (String name : List.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias")) {
            float[] p = tensor(pretrained, name);
            float[] c = tensor(clean, name);
            float[] r = tensor(robust, name);
            double dot = 0;
            double squares = 0;
            for (int i = 0; i < p.length; i++) {
                dot += (double) (r[i] - p[i]) * (c[i] - p[i]);
                squares += (double) (c[i] - p[i]) * (c[i] - p[i]);
            }
            float[] rws = signature.tensors().get(name).toFloatArray();
            double alongClean = 0;
            for (int i = 0; i < p.length; i++) {
                double expected = (r[i] - p[i]) - dot / squares * (c[i] - p[i]);
                assertEquals(expected, rws[i], 1e-6, name + "[" + i + "]");
                alongClean += rws[i] * (double) (c[i] - p[i]);
            }
            // the projection is removed: the signature is orthogonal to the clean model's direction
            assertEquals(0.0, alongClean / Math.sqrt(squares), 1e-5, name);
        }
    }

    @Test
    public void keepNumKeepsExactlyTheFirstWeightLayers() {
        NetworkModel clean = perturbed(1);
        NetworkModel robust = perturbed(2);
        WeightSignature one = WeightSignature.extract(template(), clean, robust, 1);
        assertEquals(List.of("conv1"), one.keptLayers());
        assertEquals(Set.of("conv1.weight", "conv1.bias"), one.tensors().keySet());
        WeightSignature three = WeightSignature.extract(template(), clean, robust, 3);
        assertEquals(List.of("conv1", "conv2", "fc1"), three.keptLayers());
        assertEquals(Set.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias"),
                three.tensors().keySet());
        // more than the network has: every weight layer
        assertEquals(List.of("conv1", "conv2", "fc1", "head"), WeightSignature.extract(template(), clean, robust, 9).keptLayers());
        // BatchNorm layers are not counted; their floating-point entries travel with the signature
        assertEquals(Set.of("bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
                "bn2.weight", "bn2.bias", "bn2.running_mean", "bn2.running_var"), one.batchNormEntries().keySet());
    }

    @Test
    public void composesSignaturesWithAlphaOverKAndAveragesBatchNorm() {
        NetworkModel clean = perturbed(1);
        NetworkModel noise = perturbed(2);
        NetworkModel blur = perturbed(3);
        SignaturePatcher patcher = new SignaturePatcher(0.8, 1);
        WeightSignature noiseSignature = patcher.extract(template(), clean, noise);
        WeightSignature blurSignature = patcher.extract(template(), clean, blur);
        NetworkModel patched = patcher.patch(clean, List.of(noiseSignature, blurSignature));
        float[] c = tensor(clean, "conv1.weight");
        float[] a = noiseSignature.tensors().get("conv1.weight").toFloatArray();
        float[] b = blurSignature.tensors().get("conv1.weight").toFloatArray();
        float[] out = tensor(patched, "conv1.weight");
        for (int i = 0; i < c.length; i++) {
            assertEquals(c[i] + 0.8 / 2 * (a[i] + b[i]), out[i], 1e-6);
        }
        // layers past keepNum keep the clean weights
        assertArrayEquals(tensor(clean, "conv2.weight"), tensor(patched, "conv2.weight"), 0f);
        assertArrayEquals(tensor(clean, "head.bias"), tensor(patched, "head.bias"), 0f);
        // every BatchNorm entry is the robust models' mean; integer buffers stay the clean model's
        for (String name : List.of("bn1.running_mean", "bn2.running_var", "bn2.weight")) {
            float[] n = tensor(noise, name);
            float[] l = tensor(blur, name);
            float[] p = tensor(patched, name);
            for (int i = 0; i < p.length; i++) {
                assertEquals((n[i] + l[i]) / 2.0, p[i], 1e-6, name);
            }
        }
        assertEquals(clean.stateDict().get("bn1.num_batches_tracked"), patched.stateDict().get("bn1.num_batches_tracked"));
        // alpha 0 adds no signature
        assertArrayEquals(c, tensor(new SignaturePatcher(0.0, 1).patch(clean, List.of(noiseSignature)), "conv1.weight"), 0f);

        Map<String, ?> instance = patched.getProvenance().getInstanceProvenance().getMap();
        assertEquals("0.8", instance.get(SignaturePatcher.ALPHA).toString());
        assertEquals("2", instance.get(SignaturePatcher.COUNT).toString());
        assertEquals(blur.getProvenance(), instance.get(SignaturePatcher.SIGNATURE + "1-robust-model"));
        assertEquals(template().getProvenance(), instance.get(SignaturePatcher.SIGNATURE + "0-pretrained-model"));
        assertEquals("1", instance.get(SignaturePatcher.SIGNATURE + "0-keep-num").toString());
        assertEquals(clean.getProvenance(), instance.get(SignaturePatcher.TARGET));
        Helpers.testModelProtoSerialization(patched, Label.class, RobustFixtures.test());
        Helpers.testConfigurableRoundtrip(new SignaturePatcher(0.5, 3));
    }

    @Test
    public void ownSignatureAtAlphaOneRestoresTheRobustKeptLayers() {
        NetworkModel clean = template();
        NetworkModel robust = perturbed(4);
        // the clean model is the pretrained one, so its direction is zero and nothing is projected out
        SignaturePatcher patcher = new SignaturePatcher(1.0, 2);
        NetworkModel patched = patcher.patch(clean, List.of(patcher.extract(clean, clean, robust)));
        for (String name : List.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "bn1.running_var")) {
            assertArrayEquals(tensor(robust, name), tensor(patched, name), 1e-6f, name);
        }
        assertArrayEquals(tensor(clean, "fc1.weight"), tensor(patched, "fc1.weight"), 0f);
    }

    @Test
    public void rejectsBadSettingsAndOtherArchitectures() {
        NetworkModel clean = perturbed(1);
        assertTrue(assertThrows(PropertyException.class, () -> new SignaturePatcher(-0.1, 1)).getMessage()
                .contains("alpha must be finite and >= 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new SignaturePatcher(Double.NaN, 1)).getMessage()
                .contains("alpha must be finite and >= 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new SignaturePatcher(1.0, 0)).getMessage()
                .contains("keepNum must be at least 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WeightSignature.extract(template(), clean, clean, 0))
                .getMessage().contains("keepNum must be at least 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SignaturePatcher(1.0, 1).patch(clean, List.of()))
                .getMessage().contains("at least one signature"));
        NetworkModel mlp = ModelSoupTest.ingredients().get(0);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WeightSignature.extract(template(), clean, mlp, 1))
                .getMessage().contains("the robust model has architecture"));
        WeightSignature signature = WeightSignature.extract(template(), clean, perturbed(2), 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SignaturePatcher(1.0, 1).patch(mlp, List.of(signature)))
                .getMessage().contains("the patched model has no tensor 'conv1.weight'"));
    }
}
