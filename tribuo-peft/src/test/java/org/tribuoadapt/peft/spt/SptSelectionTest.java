package org.tribuoadapt.peft.spt;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class SptSelectionTest {

    private static final long[] SQUARE = {4, 4};

    /** Layer a holds the four most sensitive weights (10, 9, 8, 7 at 0..3), layer b smaller ones (1..6 and zeros). */
    private static Map<String, float[]> twoLayers() {
        Map<String, float[]> s = new LinkedHashMap<>();
        s.put("a", new float[] {10, 9, 8, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        s.put("b", new float[] {6, 5, 4, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        return s;
    }

    private static Map<String, long[]> shapes(Map<String, float[]> s) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        s.keySet().forEach(k -> shapes.put(k, SQUARE));
        return shapes;
    }

    @Test
    public void loraCostIsRankTimesFanInPlusOutputs() {
        assertEquals(8 * (768 + 768), SptSelection.loraParameters(new long[] {768, 768}, 8));
        // a convolution [out 32, in 3, 3, 3]: fan-in 27
        assertEquals(2 * (27 + 32), SptSelection.loraParameters(new long[] {32, 3, 3, 3}, 2));
    }

    @Test
    public void matrixGetsLoraExactlyWhenItsCountReachesSigmaOpt() {
        // r = 1: LoRA costs 1 * (4 + 4) = 8 parameters; alpha = 2 gives sigma_opt = 4 selected weights
        Map<String, float[]> s = twoLayers();
        SptSelection three = SptSelection.select(s, shapes(s), 7, 1, 2.0);
        // a's fourth weight would make a LoRA matrix of 8 parameters, over the budget of 7
        assertEquals(3, three.selected());
        assertEquals(List.of(), three.loraLayers());
        assertEquals(3, three.trainable());
        assertArrayEquals(new float[] {1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, three.masks().get("a"));
        SptSelection four = SptSelection.select(s, shapes(s), 8, 1, 2.0);
        assertEquals(4, four.selected());
        assertEquals(List.of("a"), four.loraLayers(), "count 4 = sigma_opt: LoRA");
        assertEquals(8, four.trainable());
        assertEquals(Map.of("a", 4, "b", 0), four.counts());
        assertEquals(List.of("b"), List.copyOf(four.masks().keySet()), "a LoRA layer has no mask");
        // a budget of 11: a as LoRA (8) and b's three most sensitive weights unstructured (3 < sigma_opt)
        SptSelection eleven = SptSelection.select(s, shapes(s), 11, 1, 2.0);
        assertEquals(List.of("a"), eleven.loraLayers());
        assertEquals(11, eleven.trainable());
        assertArrayEquals(new float[] {1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, eleven.masks().get("b"));
    }

    @Test
    public void unstructuredBudgetIsSpentExactlyOnTheGloballyMostSensitiveWeights() {
        SplittableRandom rng = new SplittableRandom(7);
        Map<String, float[]> s = new LinkedHashMap<>();
        for (String layer : new String[] {"x", "y", "z"}) {
            float[] v = new float[16];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) rng.nextDouble();
            }
            s.put(layer, v);
        }
        // alpha = 0.5: sigma_opt = 16, so LoRA only on a fully selected matrix
        for (int budget = 1; budget <= 15; budget++) {
            SptSelection selection = SptSelection.select(s, shapes(s), budget, 1, 0.5);
            assertEquals(budget, selection.trainable());
            assertEquals(budget, selection.selected());
            float threshold = kthLargest(s, budget);
            int kept = 0;
            for (Map.Entry<String, float[]> e : s.entrySet()) {
                float[] mask = selection.masks().get(e.getKey());
                for (int i = 0; i < mask.length; i++) {
                    assertEquals(e.getValue()[i] >= threshold ? 1f : 0f, mask[i], e.getKey() + "[" + i + "]");
                    kept += (int) mask[i];
                }
            }
            assertEquals(budget, kept);
        }
    }

    private static float kthLargest(Map<String, float[]> s, int k) {
        float[] all = new float[0];
        for (float[] v : s.values()) {
            float[] joined = Arrays.copyOf(all, all.length + v.length);
            System.arraycopy(v, 0, joined, all.length, v.length);
            all = joined;
        }
        Arrays.sort(all);
        return all[all.length - k];
    }

    @Test
    public void tiesGoToTheEarlierWeight() {
        Map<String, float[]> s = new LinkedHashMap<>();
        s.put("a", new float[16]);
        s.put("b", new float[16]);
        SptSelection selection = SptSelection.select(s, shapes(s), 2, 8, 5.0);
        assertEquals(1f, selection.masks().get("a")[0]);
        assertEquals(1f, selection.masks().get("a")[1]);
        assertEquals(0f, selection.masks().get("b")[0]);
    }

    @Test
    public void rejectsImpossibleBudgetsAndBadSensitivities() {
        Map<String, float[]> s = twoLayers();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SptSelection.select(s, shapes(s), 0, 1, 5.0))
                .getMessage().contains("the budget must be between 1 and the 32 weights of the targeted layers, found 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SptSelection.select(s, shapes(s), 33, 1, 5.0))
                .getMessage().contains("found 33"));
        Map<String, float[]> nan = new LinkedHashMap<>(s);
        nan.put("b", new float[16]);
        nan.get("b")[3] = Float.NaN;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SptSelection.select(nan, shapes(nan), 4, 1, 5.0))
                .getMessage().contains("the sensitivity of 'b' at 3 is NaN"));
        Map<String, long[]> wrong = new LinkedHashMap<>(shapes(s));
        wrong.put("a", new long[] {3, 4});
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SptSelection.select(s, wrong, 4, 1, 5.0))
                .getMessage().contains("the weight shape of 'a' is [3, 4] but it has 16 sensitivities"));
    }
}
