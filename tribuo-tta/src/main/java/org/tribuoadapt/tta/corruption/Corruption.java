package org.tribuoadapt.tta.corruption;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The fifteen corruptions of Hendrycks and Dietterich (2019), "Benchmarking Neural Network Robustness to Common
 * Corruptions and Perturbations" (ICLR), in the benchmark's order, for grayscale images with pixel values in
 * {@code [0, 1]}. Each has five severities; the parameter tables are CIFAR-10-C's adapted to 28x28 images (see
 * {@code docs/tta-corruptions.md} and each implementation's documentation).
 * <p>
 * A corruption is deterministic for a seed: the same image, severity and seed give the same result. The result is
 * clipped to {@code [0, 1]} and rounded to 8 bits, as the stored CIFAR-10-C images are.
 */
public enum Corruption {
    /** Additive Gaussian noise. */
    GAUSSIAN_NOISE("gaussian_noise", new GaussianNoise()),
    /** Poisson (shot) noise. */
    SHOT_NOISE("shot_noise", new ShotNoise()),
    /** Salt-and-pepper noise. */
    IMPULSE_NOISE("impulse_noise", new ImpulseNoise()),
    /** Disk-kernel blur. */
    DEFOCUS_BLUR("defocus_blur", new DefocusBlur()),
    /** Blur with local pixel shuffling. */
    GLASS_BLUR("glass_blur", new GlassBlur()),
    /** Directional blur at a random angle. */
    MOTION_BLUR("motion_blur", new MotionBlur()),
    /** Mean of centre zooms. */
    ZOOM_BLUR("zoom_blur", new ZoomBlur()),
    /** Snowflakes and brightening. */
    SNOW("snow", new Snow()),
    /** A frost texture over the image. */
    FROST("frost", new Frost()),
    /** Plasma-fractal haze. */
    FOG("fog", new Fog()),
    /** Raised brightness. */
    BRIGHTNESS("brightness", new Brightness()),
    /** Reduced contrast. */
    CONTRAST("contrast", new Contrast()),
    /** Affine and elastic warping. */
    ELASTIC_TRANSFORM("elastic_transform", new ElasticTransform()),
    /** Down- and up-sampling with a box filter. */
    PIXELATE("pixelate", new Pixelate()),
    /** A JPEG round trip. */
    JPEG_COMPRESSION("jpeg_compression", new JpegCompression());

    /** The lowest severity. */
    public static final int MIN_SEVERITY = 1;
    /** The highest severity. */
    public static final int MAX_SEVERITY = 5;

    private final String id;
    private final ImageCorruption implementation;

    Corruption(String id, ImageCorruption implementation) {
        this.id = id;
        this.implementation = implementation;
    }

    /**
     * The benchmark's name of this corruption, e.g. {@code gaussian_noise}.
     * @return The name.
     */
    public String id() {
        return id;
    }

    /**
     * Looks a corruption up by its benchmark name (case-insensitive).
     * @param name The name, e.g. {@code motion_blur}.
     * @return The corruption.
     * @throws IllegalArgumentException listing the known names, if there is none by that name.
     */
    public static Corruption fromName(String name) {
        for (Corruption c : values()) {
            if (c.id.equalsIgnoreCase(name == null ? "" : name.trim())) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown corruption '" + name + "'; the corruptions are: " + names());
    }

    /**
     * The benchmark names of all corruptions, in the benchmark's order.
     * @return The names.
     */
    public static List<String> names() {
        List<String> out = new ArrayList<>();
        for (Corruption c : values()) {
            out.add(c.id);
        }
        return out;
    }

    /**
     * Checks a severity.
     * @param severity The severity.
     * @throws IllegalArgumentException if it is outside 1 to 5.
     */
    public static void checkSeverity(int severity) {
        if (severity < MIN_SEVERITY || severity > MAX_SEVERITY) {
            throw new IllegalArgumentException("severity " + severity + " is outside " + MIN_SEVERITY + "-"
                    + MAX_SEVERITY);
        }
    }

    /**
     * Corrupts an image, drawing its randomness from a seed.
     * @param image The pixels, {@code height * width} values in {@code [0, 1]} in row-major order; not modified.
     * @param height The image height.
     * @param width The image width.
     * @param severity The severity, 1 to 5.
     * @param seed The seed.
     * @return The corrupted pixels, in {@code [0, 1]} and multiples of 1/255.
     * @throws IllegalArgumentException if the severity is outside 1-5, the size does not match, or a pixel is not
     * in {@code [0, 1]}.
     */
    public float[] apply(float[] image, int height, int width, int severity, long seed) {
        return apply(image, height, width, severity, new SplittableRandom(seed));
    }

    /**
     * Corrupts an image, drawing its randomness from a stream.
     * @param image The pixels, {@code height * width} values in {@code [0, 1]} in row-major order; not modified.
     * @param height The image height.
     * @param width The image width.
     * @param severity The severity, 1 to 5.
     * @param rng The random stream.
     * @return The corrupted pixels, in {@code [0, 1]} and multiples of 1/255.
     * @throws IllegalArgumentException if the severity is outside 1-5, the size does not match, or a pixel is not
     * in {@code [0, 1]}.
     */
    public float[] apply(float[] image, int height, int width, int severity, SplittableRandom rng) {
        checkSeverity(severity);
        if (height < 1 || width < 1 || (long) height * width != image.length) {
            throw new IllegalArgumentException("corruption '" + id + "' needs " + height + "x" + width + " = "
                    + (long) height * width + " pixels, found " + image.length);
        }
        for (int i = 0; i < image.length; i++) {
            if (!(image[i] >= 0 && image[i] <= 1)) {
                throw new IllegalArgumentException("corruption '" + id + "' needs pixel values in [0, 1], but pixel "
                        + i + " is " + image[i]);
            }
        }
        GrayImage out = implementation.apply(new GrayImage(height, width, image.clone()), severity, rng).clip();
        for (int i = 0; i < out.pixels.length; i++) {
            out.pixels[i] = Math.round(out.pixels[i] * 255f) / 255f;
        }
        return out.pixels;
    }

    /**
     * The seed of one example's corruption, derived from a scenario seed, this corruption, the severity and the
     * example's index, so that an example is corrupted the same way whatever else is in the stream.
     * @param seed The scenario seed.
     * @param severity The severity.
     * @param index The example's index in its dataset.
     * @return The derived seed.
     */
    public long exampleSeed(long seed, int severity, long index) {
        long h = mix(seed ^ 0x9E3779B97F4A7C15L * (ordinal() + 1));
        h = mix(h ^ 0xC2B2AE3D27D4EB4FL * severity);
        return mix(h ^ 0x165667B19E3779F9L * (index + 1));
    }

    /** SplitMix64's finaliser (Steele, Lea and Flood 2014). */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public String toString() {
        return id;
    }

    /**
     * All corruptions in the benchmark's order.
     * @return The list.
     */
    public static List<Corruption> standard() {
        return Arrays.asList(values());
    }
}
