package org.tribuoadapt.peft.ltsft;

import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.safetensors.TensorData;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class TopKMaskTest {

    private static Map<String, TensorData> deltas() {
        Map<String, TensorData> t = new LinkedHashMap<>();
        t.put("base_model.model.fc1.sft_delta.weight", TensorData.ofFloats(new long[] {3}, new float[] {0.1f, -0.5f, 0.3f}));
        t.put("base_model.model.fc1.sft_mask.weight", TensorData.ofFloats(new long[] {3}, new float[] {1, 1, 1}));
        t.put("base_model.model.fc2.sft_delta.bias", TensorData.ofFloats(new long[] {2}, new float[] {0.5f, 0}));
        t.put("base_model.model.head.weight", TensorData.ofFloats(new long[] {1}, new float[] {9}));
        return t;
    }

    @Test
    public void keepsTheKLargestChangesOverAllLayers() {
        Map<String, TensorData> masks = TopKMask.grow(deltas(), 3, Map.of());
        assertEquals(2, masks.size(), "one mask per difference; modules to save are not masked");
        assertArrayEquals(new float[] {0, 1, 1}, masks.get("base_model.model.fc1.sft_mask.weight").toFloatArray());
        assertArrayEquals(new float[] {1, 0}, masks.get("base_model.model.fc2.sft_mask.bias").toFloatArray());
    }

    @Test
    public void keepsExactlyKAndBreaksTiesByOrder() {
        // |-0.5| and |0.5| tie for the largest change: the earlier entry wins
        Map<String, TensorData> masks = TopKMask.grow(deltas(), 1, Map.of());
        assertArrayEquals(new float[] {0, 1, 0}, masks.get("base_model.model.fc1.sft_mask.weight").toFloatArray());
        assertArrayEquals(new float[] {0, 0}, masks.get("base_model.model.fc2.sft_mask.bias").toFloatArray());
        Map<String, TensorData> all = TopKMask.grow(deltas(), 5, Map.of());
        assertArrayEquals(new float[] {1, 1, 1}, all.get("base_model.model.fc1.sft_mask.weight").toFloatArray());
        assertArrayEquals(new float[] {1, 1}, all.get("base_model.model.fc2.sft_mask.bias").toFloatArray());
    }

    @Test
    public void rejectsAKLargerThanTheTunedValues() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TopKMask.grow(deltas(), 6, Map.of())).getMessage()
                .contains("k = 6 is more than the 5 values the adapter tunes"));
    }

    @Test
    public void growsThePreviousMaskByTheLargestChangesNotYetSelected() {
        // round 1 kept the two largest changes, fc1[1] (0.5) and fc2.bias[0] (0.5)
        Map<String, TensorData> first = TopKMask.grow(deltas(), 2, Map.of());
        assertArrayEquals(new float[] {0, 1, 0}, first.get("base_model.model.fc1.sft_mask.weight").toFloatArray());
        assertArrayEquals(new float[] {1, 0}, first.get("base_model.model.fc2.sft_mask.bias").toFloatArray());
        // round 2 adds the largest of the rest, fc1[2] (0.3), then fc1[0] (0.1), however large the kept ones are now
        Map<String, TensorData> after = deltas();
        after.put("base_model.model.fc1.sft_delta.weight", TensorData.ofFloats(new long[] {3}, new float[] {0.1f, 9f, 0.3f}));
        Map<String, TensorData> second = TopKMask.grow(after, 1, first);
        assertArrayEquals(new float[] {0, 1, 1}, second.get("base_model.model.fc1.sft_mask.weight").toFloatArray());
        assertArrayEquals(new float[] {1, 0}, second.get("base_model.model.fc2.sft_mask.bias").toFloatArray());
        Map<String, TensorData> third = TopKMask.grow(after, 1, second);
        assertArrayEquals(new float[] {1, 1, 1}, third.get("base_model.model.fc1.sft_mask.weight").toFloatArray());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TopKMask.grow(after, 2, third)).getMessage()
                .contains("k = 2 is more than the 1 values the adapter tunes and has not selected yet"));
    }
}
