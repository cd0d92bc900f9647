package org.tribuoadapt.tta.corruption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tribuoadapt.tta.testing.TtaFixtures;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class CorruptionTest {

    private static final int N = TtaFixtures.FASHION_SIZE;
    private static final List<float[]> IMAGES = TtaFixtures.garments(40, 11);

    private static double meanPsnr(Corruption c, int severity) {
        double mse = 0;
        for (int k = 0; k < IMAGES.size(); k++) {
            float[] clean = IMAGES.get(k);
            float[] out = c.apply(clean, N, N, severity, c.exampleSeed(5, severity, k));
            for (int i = 0; i < clean.length; i++) {
                mse += (out[i] - clean[i]) * (double) (out[i] - clean[i]);
            }
        }
        mse /= IMAGES.size() * (double) N * N;
        return 10 * Math.log10(1 / mse);
    }

    /** Each corruption distorts more (lower PSNR against the clean images) at each higher severity. */
    @ParameterizedTest
    @EnumSource(Corruption.class)
    public void distortionGrowsWithSeverity(Corruption c) {
        double previous = Double.POSITIVE_INFINITY;
        for (int s = Corruption.MIN_SEVERITY; s <= Corruption.MAX_SEVERITY; s++) {
            double psnr = meanPsnr(c, s);
            assertTrue(psnr < previous, c + ": PSNR at severity " + s + " is " + psnr + ", not below " + previous);
            previous = psnr;
        }
    }

    /** Each corruption gives the same 8-bit image in [0, 1] for the same seed, at every severity. */
    @ParameterizedTest
    @EnumSource(Corruption.class)
    public void deterministicForASeedAndInRange(Corruption c) {
        float[] image = IMAGES.get(3);
        float[] copy = image.clone();
        for (int s = Corruption.MIN_SEVERITY; s <= Corruption.MAX_SEVERITY; s++) {
            float[] first = c.apply(image, N, N, s, 42L);
            assertArrayEquals(first, c.apply(image, N, N, s, 42L), c + " is not deterministic at severity " + s);
            assertArrayEquals(first, c.apply(image, N, N, s, new SplittableRandom(42L)), c.id());
            for (float v : first) {
                assertTrue(v >= 0 && v <= 1, c + " produced " + v + " at severity " + s);
                assertEquals(Math.round(v * 255), v * 255, 1e-3, c + " is not 8-bit");
            }
        }
        assertArrayEquals(copy, image, c + " changed its input");
    }

    /** The random corruptions draw new noise for a new seed. */
    @ParameterizedTest
    @EnumSource(value = Corruption.class, names = {"GAUSSIAN_NOISE", "SHOT_NOISE", "IMPULSE_NOISE", "GLASS_BLUR",
            "MOTION_BLUR", "SNOW", "FROST", "FOG", "ELASTIC_TRANSFORM"})
    public void randomCorruptionsChangeWithTheSeed(Corruption c) {
        float[] image = IMAGES.get(3);
        assertFalse(Arrays.equals(c.apply(image, N, N, 5, 1L), c.apply(image, N, N, 5, 2L)), c.id());
    }

    @Test
    public void exampleSeedsDependOnEveryPart() {
        Corruption c = Corruption.FOG;
        long base = c.exampleSeed(1, 3, 10);
        assertEquals(base, c.exampleSeed(1, 3, 10));
        assertTrue(base != c.exampleSeed(2, 3, 10) && base != c.exampleSeed(1, 4, 10) && base != c.exampleSeed(1, 3, 11)
                && base != Corruption.SNOW.exampleSeed(1, 3, 10));
    }

    @Test
    public void photometricCorruptionsMatchTheirFormulas() {
        float[] image = {0f, 1f, 0.2f, 0.6f};
        // contrast 0.75 around the mean 0.45, rounded to 8 bits
        float[] contrast = Corruption.CONTRAST.apply(image, 2, 2, 1, 0L);
        float[] expected = new float[4];
        for (int i = 0; i < 4; i++) {
            expected[i] = Math.round((float) ((image[i] - 0.45) * 0.75 + 0.45) * 255f) / 255f;
        }
        assertArrayEquals(expected, contrast, 1e-7f);
        // brightness 0.3 at severity 5, clipped at 1
        float[] bright = Corruption.BRIGHTNESS.apply(image, 2, 2, 5, 0L);
        assertArrayEquals(new float[] {Math.round(0.3f * 255) / 255f, 1f, Math.round(0.5f * 255) / 255f,
            Math.round(0.9f * 255) / 255f}, bright, 1e-7f);
        // frost at severity 1 keeps the image (weight 1) and only adds frost
        float[] frost = Corruption.FROST.apply(image, 2, 2, 1, 0L);
        for (int i = 0; i < 4; i++) {
            assertTrue(frost[i] >= image[i] - 1 / 255f, "frost darkened pixel " + i);
        }
    }

    @Test
    public void defocusKernelsAreNormalisedDisks() {
        double[] small = DefocusBlur.kernel(0.3, 0.4);
        assertEquals(9, small.length);
        double sum = 0;
        for (double k : small) {
            sum += k;
        }
        assertEquals(1, sum, 1e-12);
        // radius 1.5 covers the 3x3 square: 9 taps of the disk, then smoothed into 5x5
        double[] large = DefocusBlur.kernel(1.5, 0.1);
        assertEquals(25, large.length);
        assertEquals(1.0 / 9, large[12], 1e-3);
    }

    @Test
    public void shotNoiseHasPoissonMoments() {
        SplittableRandom rng = new SplittableRandom(3);
        double sum = 0;
        double squares = 0;
        int draws = 20000;
        for (int i = 0; i < draws; i++) {
            long k = ShotNoise.poisson(50, rng);
            sum += k;
            squares += k * k;
        }
        double mean = sum / draws;
        double variance = squares / draws - mean * mean;
        assertEquals(50, mean, 0.3);
        assertEquals(50, variance, 2.5);
        assertEquals(0, ShotNoise.poisson(0, rng));
    }

    @Test
    public void pixelateBoxFilterPreservesTheMean() {
        GrayImage image = new GrayImage(N, N, IMAGES.get(0).clone());
        GrayImage small = Pixelate.resize(image, 18, 18);
        assertEquals(image.mean(), small.mean(), 1e-5);
        GrayImage flat = Pixelate.resize(new GrayImage(4, 4, new float[] {
            1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1}), 2, 2);
        assertArrayEquals(new float[] {1, 0, 0, 1}, flat.pixels, 1e-6f);
    }

    @Test
    public void affineThroughThreePoints() {
        double[][] from = {{0, 0}, {1, 0}, {0, 1}};
        double[][] to = {{2, 3}, {4, 3}, {2, 6}};
        // x' = 2x + 2, y' = 3y + 3
        assertArrayEquals(new double[] {2, 0, 2, 0, 3, 3}, ElasticTransform.affineThrough(from, to), 1e-12);
    }

    @Test
    public void borderModes() {
        assertEquals(1, BorderMode.REFLECT_101.index(-1, 5));
        assertEquals(3, BorderMode.REFLECT_101.index(5, 5));
        assertEquals(0, BorderMode.REFLECT.index(-1, 5));
        assertEquals(4, BorderMode.REFLECT.index(5, 5));
        assertEquals(0, BorderMode.NEAREST.index(-7, 5));
        assertEquals(4, BorderMode.NEAREST.index(9, 5));
    }

    @Test
    public void badInputIsRejectedWithTheExpectedValue() {
        float[] image = IMAGES.get(0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Corruption.FOG.apply(image, N, N, 6, 1L));
        assertEquals("severity 6 is outside 1-5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Corruption.FOG.apply(image, N, N, 0, 1L));
        assertEquals("severity 0 is outside 1-5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Corruption.fromName("rain"));
        assertTrue(e.getMessage().startsWith("unknown corruption 'rain'; the corruptions are: [gaussian_noise"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Corruption.FOG.apply(image, 27, 28, 1, 1L));
        assertTrue(e.getMessage().contains("needs 27x28 = 756 pixels, found 784"), e.getMessage());
        float[] raw = image.clone();
        raw[5] = 255f;
        e = assertThrows(IllegalArgumentException.class, () -> Corruption.FOG.apply(raw, N, N, 1, 1L));
        assertTrue(e.getMessage().contains("pixel values in [0, 1], but pixel 5 is 255.0"), e.getMessage());
        raw[5] = Float.NaN;
        assertThrows(IllegalArgumentException.class, () -> Corruption.FOG.apply(raw, N, N, 1, 1L));
        assertEquals(Corruption.MOTION_BLUR, Corruption.fromName("Motion_Blur"));
        assertEquals(15, Corruption.names().size());
    }
}
