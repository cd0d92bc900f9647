package org.tribuoadapt.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The constants of recorded products and maxima survive a garbage collection before the backward pass (with DJL's
 * own {@code mul(Number)} the gradient reads freed memory).
 */
public class TapeConstantsTest {

    /**
     * Records {@code op(x, constant).sum()}, then collects garbage and fills freshly allocated direct buffers with
     * another value (so memory freed in between is overwritten) before the backward pass, and returns the gradient.
     */
    private static float[] gradientAfterGarbageCollection(BiFunction<NDArray, Double, NDArray> op, float[] values,
                                                          double constant) {
        try (NDManager manager = DjlRuntime.newManager()) {
            NDArray x = manager.create(values);
            x.setRequiresGradient(true);
            NDArray loss;
            try (GradientMode on = GradientMode.enabled()) {
                loss = op.apply(x, constant).sum();
            }
            List<ByteBuffer> overwrite = new ArrayList<>();
            for (int round = 0; round < 5; round++) {
                System.gc();
                for (int i = 0; i < 2000; i++) {
                    ByteBuffer b = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
                    b.putFloat(0, -123f);
                    overwrite.add(b);
                }
            }
            try (GradientMode on = GradientMode.enabled()) {
                GradientMode.backward(loss);
            }
            return x.getGradient().toFloatArray();
        }
    }

    @Test
    public void productsKeepTheirConstantThroughGarbageCollection() {
        // d/dx sum(3x) = 3 everywhere
        assertArrayEquals(new float[] {3f, 3f, 3f},
                gradientAfterGarbageCollection(TapeConstants::times, new float[] {-1f, 0.5f, 2f}, 3.0));
    }

    @Test
    public void inPlaceProductsAndQuotientsKeepTheirConstantThroughGarbageCollection() {
        assertArrayEquals(new float[] {3f, 3f, 3f},
                gradientAfterGarbageCollection((x, c) -> TapeConstants.timesInPlace(x.mul(x.onesLike()), c),
                        new float[] {-1f, 0.5f, 2f}, 3.0));
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f},
                gradientAfterGarbageCollection(TapeConstants::dividedBy, new float[] {-1f, 0.5f, 2f}, 4.0));
    }

    @Test
    public void maximaKeepTheirConstantThroughGarbageCollection() {
        // d/dx sum(max(x, 0)) is 0 below the floor and 1 above it
        assertArrayEquals(new float[] {0f, 1f, 1f},
                gradientAfterGarbageCollection(TapeConstants::atLeast, new float[] {-1f, 0.5f, 2f}, 0.0));
    }
}
