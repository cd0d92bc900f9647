package org.tribuoadapt.core.contrastive;

import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class ViewAugmentationTest {

    private static final Shape IMAGE = new Shape(1, 28, 28);

    private static float[] images(int count) {
        SplittableRandom rng = new SplittableRandom(3);
        float[] values = new float[count * 28 * 28];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) rng.nextDouble();
        }
        return values;
    }

    @Test
    public void sameSeedGivesTheSameViews() {
        ViewAugmentation augmentation = new ViewAugmentation(3, 0.5, 0.1);
        float[] batch = images(4);
        float[] a = augmentation.apply(batch, IMAGE, new SplittableRandom(11));
        float[] b = augmentation.apply(batch, IMAGE, new SplittableRandom(11));
        float[] c = augmentation.apply(batch, IMAGE, new SplittableRandom(12));
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, c));
    }

    @Test
    public void noneIsTheIdentity() {
        float[] batch = images(2);
        assertArrayEquals(batch, ViewAugmentation.none().apply(batch, IMAGE, new SplittableRandom(1)));
    }

    @Test
    public void flipAndShiftMovePixels() {
        float[] image = new float[28 * 28];
        image[5 * 28 + 2] = 1f;
        float[] flipped = new ViewAugmentation(0, 1.0, 0.0).apply(image, IMAGE, new SplittableRandom(1));
        assertEquals(1f, flipped[5 * 28 + 25]);
        assertEquals(1f, sum(flipped));
        // a shift keeps a central pixel inside the image and moves it by at most maxShift along each axis
        float[] centre = new float[28 * 28];
        centre[14 * 28 + 14] = 1f;
        for (long seed = 0; seed < 20; seed++) {
            float[] shifted = new ViewAugmentation(2, 0.0, 0.0).apply(centre, IMAGE, new SplittableRandom(seed));
            assertEquals(1f, sum(shifted));
            int at = indexOfOne(shifted);
            assertTrue(Math.abs(at / 28 - 14) <= 2 && Math.abs(at % 28 - 14) <= 2, "moved to " + at);
        }
    }

    private static float sum(float[] values) {
        float s = 0;
        for (float v : values) {
            s += v;
        }
        return s;
    }

    private static int indexOfOne(float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == 1f) {
                return i;
            }
        }
        return -1;
    }

    @Test
    public void rejectsBadSettingsAndShapes() {
        assertThrows(PropertyException.class, () -> new ViewAugmentation(-1, 0.5, 0.1));
        assertThrows(PropertyException.class, () -> new ViewAugmentation(1, 1.5, 0.1));
        assertThrows(PropertyException.class, () -> new ViewAugmentation(1, 0.5, Double.NaN));
        ViewAugmentation augmentation = ViewAugmentation.none();
        assertThrows(IllegalArgumentException.class, () -> augmentation.apply(new float[10], IMAGE, new SplittableRandom(1)));
        assertThrows(IllegalArgumentException.class, () -> augmentation.apply(new float[784], new Shape(784), new SplittableRandom(1)));
    }
}
