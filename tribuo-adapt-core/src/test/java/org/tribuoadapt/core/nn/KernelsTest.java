package org.tribuoadapt.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel paths: the portable convolution and GELU agree with PyTorch's own kernels in value and gradient and are
 * deterministic; the start-up check and the forcing property decide the path.
 */
public class KernelsTest {

    /** in, out, side, kernel, stride, padding, with or without bias: odd channel counts, strides and 1x1 kernels. */
    private static final int[][] GEOMETRIES = {{1, 8, 12, 3, 1, 1, 1}, {8, 4, 9, 3, 2, 1, 0}, {3, 5, 7, 1, 1, 0, 1},
            {4, 6, 10, 5, 2, 2, 1}, {2, 3, 6, 3, 3, 0, 0}};

    @Test
    public void portableConvolutionMatchesPyTorchInValueAndGradients() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int[] g : GEOMETRIES) {
            Shape input = new Shape(5, g[0], g[2], g[2]);
            Shape kernel = new Shape(g[1], g[0], g[3], g[3]);
            boolean hasBias = g[6] == 1;
            float[][] x = {uniform(rng, input), uniform(rng, kernel), uniform(rng, new Shape(g[1]))};
            float[][] reference = convolutionAndGradients(x, input, kernel, hasBias, (in) -> in[0].getNDArrayInternal()
                    .convolution(in[0], in[1], in[2], new Shape(g[4], g[4]), new Shape(g[5], g[5]), new Shape(1, 1), 1)
                    .singletonOrThrow());
            float[][] portable = convolutionAndGradients(x, input, kernel, hasBias,
                    (in) -> PortableKernels.convolution(in[0], in[1], in[2], g[4], g[5]));
            for (int p = 0; p < (hasBias ? 4 : 3); p++) {
                assertClose(java.util.Arrays.toString(g) + " part " + p, reference[p], portable[p]);
            }
            assertArrayEquals(portable, convolutionAndGradients(x, input, kernel, hasBias,
                    (in) -> PortableKernels.convolution(in[0], in[1], in[2], g[4], g[5])), "portable runs differ");
        }
    }

    @Test
    public void portableGeluMatchesPyTorchInValueAndGradient() {
        float[] x = new float[201];
        for (int i = 0; i < x.length; i++) {
            x[i] = -6 + 0.06f * i;
        }
        float[][] reference = geluAndGradient(x, (in) -> in.getNDArrayInternal().gelu());
        float[][] portable = geluAndGradient(x, PortableKernels::gelu);
        assertClose("gelu", reference[0], portable[0]);
        assertClose("gelu gradient", reference[1], portable[1]);
    }

    @Test
    public void erfMatchesTabulatedValues() {
        // Abramowitz and Stegun, table 7.1
        assertEquals(0.0, KernelSelfCheck.erf(0), 1e-7);
        assertEquals(0.5204998778, KernelSelfCheck.erf(0.5), 2e-7);
        assertEquals(0.8427007929, KernelSelfCheck.erf(1), 2e-7);
        assertEquals(-0.9953222650, KernelSelfCheck.erf(-2), 2e-7);
    }

    @Test
    public void theCheckDecidesTheAutomaticPath() {
        KernelSelfCheck.Outcome outcome = KernelSelfCheck.run();
        Kernels.Choice choice = Kernels.choose("auto");
        assertEquals(outcome.passed() ? KernelPath.ONEDNN : KernelPath.PORTABLE, choice.path(), outcome.description());
        assertEquals(outcome.passed(), KernelSelfCheck.run().passed(), "the check itself must be repeatable");
    }

    @Test
    public void thePropertyForcesAPathAndRejectsUnknownOnes() {
        assertEquals(KernelPath.PORTABLE, Kernels.choose("portable").path());
        assertEquals(KernelPath.ONEDNN, Kernels.choose(" ONEDNN ").path());
        assertTrue(Kernels.choose("portable").reason().contains(Kernels.PROPERTY));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Kernels.choose("avx2"));
        assertTrue(e.getMessage().contains("avx2") && e.getMessage().contains("portable"), e.getMessage());
    }

    private static float[][] convolutionAndGradients(float[][] values, Shape input, Shape kernel, boolean hasBias,
                                                     Function<NDArray[], NDArray> convolution) {
        try (NDManager manager = DjlRuntime.newManager(); GradientMode on = GradientMode.enabled()) {
            NDArray x = leaf(manager, values[0], input);
            NDArray w = leaf(manager, values[1], kernel);
            NDArray b = hasBias ? leaf(manager, values[2], new Shape(kernel.get(0))) : null;
            NDArray y = convolution.apply(new NDArray[] {x, w, b});
            GradientMode.backward(y.mul(y).sum());
            return new float[][] {y.toFloatArray(), x.getGradient().toFloatArray(), w.getGradient().toFloatArray(),
                    hasBias ? b.getGradient().toFloatArray() : new float[0]};
        }
    }

    private static float[][] geluAndGradient(float[] values, Function<NDArray, NDArray> gelu) {
        try (NDManager manager = DjlRuntime.newManager(); GradientMode on = GradientMode.enabled()) {
            NDArray x = leaf(manager, values, new Shape(values.length));
            NDArray y = gelu.apply(x);
            GradientMode.backward(y.sum());
            return new float[][] {y.toFloatArray(), x.getGradient().toFloatArray()};
        }
    }

    private static NDArray leaf(NDManager manager, float[] values, Shape shape) {
        NDArray array = manager.create(values, shape);
        array.setRequiresGradient(true);
        return array;
    }

    private static float[] uniform(SplittableRandom rng, Shape shape) {
        float[] values = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (2 * rng.nextDouble() - 1);
        }
        return values;
    }

    private static void assertClose(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4 * Math.max(1, Math.abs(expected[i])), what + "[" + i + "]");
        }
    }
}
