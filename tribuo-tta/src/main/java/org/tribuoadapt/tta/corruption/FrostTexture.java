package org.tribuoadapt.tta.corruption;

import java.util.SplittableRandom;

/**
 * Procedural frost textures, standing in for the six photographs of frost that the reference frost corruption of
 * Hendrycks and Dietterich (2019) crops from. A texture is a rough plasma-fractal haze (the uneven film of ice)
 * plus ice needles: straight bright strokes at random positions and angles, each with shorter side branches at
 * 50-70 degrees, as dendritic frost grows. It is lightly smoothed and scaled to {@code [0, 1]}.
 * <p>
 * {@value #COUNT} textures of {@value #SIZE}x{@value #SIZE} pixels are generated once from fixed seeds, so the
 * textures are the same in every run and the corruption is deterministic for a seed.
 */
final class FrostTexture {

    /** The number of textures, as the reference draws from five of its photographs. */
    static final int COUNT = 5;
    /** The side length of a texture. */
    static final int SIZE = 128;

    private static final long SEED = 0x5EEDF2057L;
    private static final GrayImage[] TEXTURES = new GrayImage[COUNT];

    private FrostTexture() {}

    /**
     * One of the textures.
     * @param index Which texture, {@code 0 <= index < COUNT}.
     * @return The texture; callers must not modify it.
     */
    static synchronized GrayImage texture(int index) {
        if (TEXTURES[index] == null) {
            TEXTURES[index] = generate(new SplittableRandom(SEED + index));
        }
        return TEXTURES[index];
    }

    private static GrayImage generate(SplittableRandom rng) {
        double[] haze = PlasmaFractal.generate(SIZE, 1.6, rng);
        float[] ice = new float[SIZE * SIZE];
        int needles = 90;
        for (int n = 0; n < needles; n++) {
            double x = rng.nextDouble() * SIZE;
            double y = rng.nextDouble() * SIZE;
            double angle = rng.nextDouble() * 2 * Math.PI;
            double length = 6 + rng.nextDouble() * 24;
            double intensity = 0.35 + rng.nextDouble() * 0.45;
            stroke(ice, x, y, angle, length, intensity);
            int branches = 2 + rng.nextInt(3);
            for (int b = 0; b < branches; b++) {
                double at = rng.nextDouble() * length;
                double side = (rng.nextBoolean() ? 1 : -1) * Math.toRadians(50 + rng.nextDouble() * 20);
                stroke(ice, x + at * Math.cos(angle), y + at * Math.sin(angle), angle + side,
                        length * (0.3 + rng.nextDouble() * 0.2), intensity * 0.8);
            }
        }
        float[] pixels = new float[SIZE * SIZE];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) (0.45 * haze[i] + ice[i]);
        }
        GrayImage smooth = new GrayImage(SIZE, SIZE, pixels).gaussianBlur(0.6, 4.0, BorderMode.REFLECT);
        float max = smooth.max();
        for (int i = 0; i < smooth.pixels.length; i++) {
            smooth.pixels[i] /= max;
        }
        return smooth;
    }

    /**
     * Draws an anti-aliased stroke on the torus, keeping the brighter value where strokes cross.
     */
    private static void stroke(float[] ice, double x, double y, double angle, double length, double intensity) {
        double dx = Math.cos(angle);
        double dy = Math.sin(angle);
        for (double t = 0; t <= length; t += 0.5) {
            double px = x + t * dx;
            double py = y + t * dy;
            int x0 = (int) Math.floor(px);
            int y0 = (int) Math.floor(py);
            double fx = px - x0;
            double fy = py - y0;
            // thinner and fainter towards the tip
            double v = intensity * (1 - 0.5 * t / length);
            splat(ice, x0, y0, v * (1 - fx) * (1 - fy));
            splat(ice, x0 + 1, y0, v * fx * (1 - fy));
            splat(ice, x0, y0 + 1, v * (1 - fx) * fy);
            splat(ice, x0 + 1, y0 + 1, v * fx * fy);
        }
    }

    private static void splat(float[] ice, int x, int y, double v) {
        int i = Math.floorMod(y, SIZE) * SIZE + Math.floorMod(x, SIZE);
        ice[i] = (float) Math.max(ice[i], v);
    }
}
