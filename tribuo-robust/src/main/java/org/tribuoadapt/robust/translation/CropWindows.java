package org.tribuoadapt.robust.translation;

/**
 * The candidate crops of robust inference by crop selection (Shifman and Weiss 2024) on images stored channel-first
 * ({@code [channel][row][column]}, the layout of core's {@code FeatureTensorizer}): crops of
 * {@code (height - 2 margin) x (width - 2 margin)} at every offset {@code (r, c)} with {@code 0 <= r, c <= 2 margin},
 * numbered in row-major order; the chosen crop is shown to the classifier re-embedded at the centre of an image of
 * the original size, with zeros in the margin.
 */
final class CropWindows {

    private final int channels;
    private final int height;
    private final int width;
    private final int margin;

    /**
     * Creates the candidate crops of an image shape.
     * @param channels The channels.
     * @param height The image height.
     * @param width The image width.
     * @param margin The margin, at least 1, with {@code 2 margin} below the height and the width.
     * @throws IllegalArgumentException if the shape or the margin is impossible.
     */
    CropWindows(int channels, int height, int width, int margin) {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("the image shape must be positive, found " + channels + "x" + height + "x" + width);
        }
        if (margin < 1 || 2 * margin >= height || 2 * margin >= width) {
            throw new IllegalArgumentException("the crop margin must be at least 1 and leave a crop of at least one pixel "
                    + "(2 * margin < height and width), found margin " + margin + " for " + height + "x" + width + " images");
        }
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.margin = margin;
    }

    /**
     * The number of candidate crops, {@code (2 margin + 1)^2}.
     * @return The count.
     */
    int count() {
        return (2 * margin + 1) * (2 * margin + 1);
    }

    /**
     * The values in one image, {@code channels * height * width}.
     * @return The size.
     */
    int imageSize() {
        return channels * height * width;
    }

    /**
     * The content criterion: the candidate with the largest total intensity, the first in row-major order among
     * equals. Each crop is summed in its own row-major order, so a crop's score does not depend on where it sits in
     * the image and the choice moves with a translation exactly.
     * @param images The images, one after another.
     * @param offset Where the image starts in {@code images}.
     * @return The chosen candidate's number.
     */
    int mostIntense(float[] images, int offset) {
        int cropHeight = height - 2 * margin;
        int cropWidth = width - 2 * margin;
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int candidate = 0; candidate < count(); candidate++) {
            int top = candidate / (2 * margin + 1);
            int left = candidate % (2 * margin + 1);
            double score = 0;
            for (int ch = 0; ch < channels; ch++) {
                for (int y = 0; y < cropHeight; y++) {
                    int row = offset + (ch * height + top + y) * width + left;
                    for (int x = 0; x < cropWidth; x++) {
                        score += images[row + x];
                    }
                }
            }
            if (score > bestScore) {
                bestScore = score;
                best = candidate;
            }
        }
        return best;
    }

    /**
     * The confidence criterion: the candidate whose prediction has the largest top probability, the first among
     * equals.
     * @param probabilities One row of class probabilities per candidate, candidates in order.
     * @param classes The number of classes (the row length).
     * @return The chosen candidate's number.
     * @throws IllegalArgumentException if the rows do not match the candidates or a probability is NaN.
     */
    int mostConfident(float[] probabilities, int classes) {
        if (classes < 1 || probabilities.length != count() * classes) {
            throw new IllegalArgumentException("need " + count() + " rows of " + classes + " probabilities, found "
                    + probabilities.length + " values");
        }
        int best = 0;
        float bestTop = Float.NEGATIVE_INFINITY;
        for (int candidate = 0; candidate < count(); candidate++) {
            float top = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                float p = probabilities[candidate * classes + c];
                if (Float.isNaN(p)) {
                    throw new IllegalArgumentException("candidate " + candidate + " has a NaN probability");
                }
                top = Math.max(top, p);
            }
            if (top > bestTop) {
                bestTop = top;
                best = candidate;
            }
        }
        return best;
    }

    /**
     * Writes a candidate crop re-embedded at the centre of an image of the original size, zeros around it.
     * @param images The source images.
     * @param offset Where the source image starts.
     * @param candidate The candidate's number.
     * @param target The destination.
     * @param targetOffset Where the destination image starts; its margin is set to zero.
     */
    void writeCentred(float[] images, int offset, int candidate, float[] target, int targetOffset) {
        int top = candidate / (2 * margin + 1);
        int left = candidate % (2 * margin + 1);
        for (int ch = 0; ch < channels; ch++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    boolean inside = y >= margin && y < height - margin && x >= margin && x < width - margin;
                    target[targetOffset + (ch * height + y) * width + x] = inside
                            ? images[offset + (ch * height + top + y - margin) * width + left + x - margin] : 0f;
                }
            }
        }
    }
}
