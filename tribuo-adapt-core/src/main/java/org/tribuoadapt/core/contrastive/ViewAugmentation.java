package org.tribuoadapt.core.contrastive;

import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;

import java.util.SplittableRandom;

/**
 * The random view of an image that contrastive learning compares with another view of the same image, suited to small
 * grey-scale images such as 28×28 Fashion-MNIST: a random translation of up to {@code maxShift} pixels in each
 * direction with zero fill (the same as SimCLR's pad-and-crop for a black background), a horizontal flip with
 * probability {@code flipProbability}, and independent Gaussian noise of standard deviation {@code noiseStd} on every
 * pixel. Every draw comes from the stream the caller passes, so a seeded stream gives the same views.
 */
public final class ViewAugmentation implements Configurable, Provenancable<ConfiguredObjectProvenance> {

    @Config(description = "Largest translation in pixels along each axis (zero fill).")
    private int maxShift = 3;

    @Config(description = "Probability of a horizontal flip.")
    private double flipProbability = 0.5;

    @Config(description = "Standard deviation of the Gaussian noise added to every pixel.")
    private double noiseStd = 0.1;

    /** For OLCUT. */
    private ViewAugmentation() {}

    /**
     * Creates an augmentation.
     * @param maxShift The largest translation in pixels, at least 0.
     * @param flipProbability The probability of a horizontal flip, in [0, 1].
     * @param noiseStd The noise standard deviation, at least 0.
     */
    public ViewAugmentation(int maxShift, double flipProbability, double noiseStd) {
        this.maxShift = maxShift;
        this.flipProbability = flipProbability;
        this.noiseStd = noiseStd;
        postConfig();
    }

    /**
     * The identity: no shift, flip or noise (for tests and for inspecting the loss on fixed inputs).
     * @return The augmentation.
     */
    public static ViewAugmentation none() {
        return new ViewAugmentation(0, 0.0, 0.0);
    }

    @Override
    public void postConfig() {
        if (maxShift < 0) {
            throw new PropertyException("", "maxShift", "maxShift must be >= 0, found " + maxShift);
        }
        if (!(flipProbability >= 0 && flipProbability <= 1)) {
            throw new PropertyException("", "flipProbability", "flipProbability must be in [0, 1], found " + flipProbability);
        }
        if (!(noiseStd >= 0) || Double.isInfinite(noiseStd)) {
            throw new PropertyException("", "noiseStd", "noiseStd must be finite and >= 0, found " + noiseStd);
        }
    }

    /**
     * Draws one view of every image of a batch.
     * @param batch The images, {@code [N, C, H, W]} flattened in that order.
     * @param imageShape The shape of one image, {@code [C, H, W]}.
     * @param rng The stream every draw comes from.
     * @return The views, in the batch's layout.
     * @throws IllegalArgumentException if the shape is not {@code [C, H, W]} or the batch is not a whole number of images.
     */
    public float[] apply(float[] batch, Shape imageShape, SplittableRandom rng) {
        if (imageShape.dimension() != 3) {
            throw new IllegalArgumentException("views need images of shape [C, H, W], found " + imageShape);
        }
        int channels = Math.toIntExact(imageShape.get(0));
        int height = Math.toIntExact(imageShape.get(1));
        int width = Math.toIntExact(imageShape.get(2));
        int size = channels * height * width;
        if (size == 0 || batch.length % size != 0) {
            throw new IllegalArgumentException("a batch of " + batch.length + " values is not a whole number of images of shape "
                    + imageShape);
        }
        float[] views = new float[batch.length];
        for (int offset = 0; offset < batch.length; offset += size) {
            int dy = rng.nextInt(-maxShift, maxShift + 1);
            int dx = rng.nextInt(-maxShift, maxShift + 1);
            boolean flip = rng.nextDouble() < flipProbability;
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < height; y++) {
                    int sourceY = y - dy;
                    for (int x = 0; x < width; x++) {
                        int shiftedX = x - dx;
                        int sourceX = flip ? width - 1 - shiftedX : shiftedX;
                        boolean inside = sourceY >= 0 && sourceY < height && shiftedX >= 0 && shiftedX < width;
                        float value = inside ? batch[offset + (c * height + sourceY) * width + sourceX] : 0f;
                        if (noiseStd > 0) {
                            value += (float) (noiseStd * rng.nextGaussian());
                        }
                        views[offset + (c * height + y) * width + x] = value;
                    }
                }
            }
        }
        return views;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "ViewAugmentation");
    }

    @Override
    public String toString() {
        return "ViewAugmentation(maxShift=" + maxShift + ",flipProbability=" + flipProbability + ",noiseStd=" + noiseStd + ")";
    }
}
