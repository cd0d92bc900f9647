package org.tribuoadapt.tta.selection;

/**
 * What an unsupervised selection scorer may read about one adapted configuration: labelled source validation
 * examples with the adapted model's probabilities on them, and unlabelled target examples with the adapted model's
 * probabilities. Features are an embedding of the inputs that does not depend on the configuration (for a network,
 * the source model's penultimate features). Arrays are flat, example after example.
 *
 * @param featureWidth The number of features per example, at least 1.
 * @param numClasses The number of classes, at least 2.
 * @param sourceFeatures {@code nSource * featureWidth} source validation features.
 * @param sourceLabels {@code nSource} source validation label ids in {@code [0, numClasses)}.
 * @param sourceProbabilities {@code nSource * numClasses} adapted probabilities on the source validation examples.
 * @param targetFeatures {@code nTarget * featureWidth} target features.
 * @param targetProbabilities {@code nTarget * numClasses} adapted probabilities on the target examples.
 */
public record SelectionInputs(int featureWidth, int numClasses, float[] sourceFeatures, int[] sourceLabels,
                              float[] sourceProbabilities, float[] targetFeatures, float[] targetProbabilities) {

    /**
     * Checks the shapes and values.
     * @throws IllegalArgumentException naming the array that is empty, has the wrong length or holds a
     * non-finite value, a label out of range or a probability outside [0, 1].
     */
    public SelectionInputs {
        if (featureWidth < 1) {
            throw new IllegalArgumentException("featureWidth must be at least 1, found " + featureWidth);
        }
        if (numClasses < 2) {
            throw new IllegalArgumentException("numClasses must be at least 2, found " + numClasses);
        }
        if (sourceLabels == null || sourceLabels.length == 0) {
            throw new IllegalArgumentException("there are no source validation examples (sourceLabels is empty)");
        }
        int nSource = sourceLabels.length;
        int nTarget = count("targetProbabilities", targetProbabilities, numClasses);
        if (nTarget == 0) {
            throw new IllegalArgumentException("there are no target examples (targetProbabilities is empty)");
        }
        checkLength("sourceFeatures", sourceFeatures, nSource, featureWidth);
        checkLength("sourceProbabilities", sourceProbabilities, nSource, numClasses);
        checkLength("targetFeatures", targetFeatures, nTarget, featureWidth);
        checkFinite("sourceFeatures", sourceFeatures);
        checkFinite("targetFeatures", targetFeatures);
        checkProbabilities("sourceProbabilities", sourceProbabilities);
        checkProbabilities("targetProbabilities", targetProbabilities);
        for (int i = 0; i < nSource; i++) {
            if (sourceLabels[i] < 0 || sourceLabels[i] >= numClasses) {
                throw new IllegalArgumentException("source label " + i + " is " + sourceLabels[i]
                        + ", outside [0, " + numClasses + ")");
            }
        }
    }

    /**
     * The number of source validation examples.
     * @return The count.
     */
    public int numSource() {
        return sourceLabels.length;
    }

    /**
     * The number of target examples.
     * @return The count.
     */
    public int numTarget() {
        return targetProbabilities.length / numClasses;
    }

    /**
     * The predicted class (the most probable; the lowest id on ties) of every target example.
     * @return {@code nTarget} label ids.
     */
    public int[] targetPseudoLabels() {
        int[] labels = new int[numTarget()];
        for (int i = 0; i < labels.length; i++) {
            int best = 0;
            for (int c = 1; c < numClasses; c++) {
                if (targetProbabilities[i * numClasses + c] > targetProbabilities[i * numClasses + best]) {
                    best = c;
                }
            }
            labels[i] = best;
        }
        return labels;
    }

    private static int count(String name, float[] values, int width) {
        if (values == null) {
            throw new IllegalArgumentException(name + " is null");
        }
        if (values.length % width != 0) {
            throw new IllegalArgumentException(name + " has " + values.length + " values, not a multiple of "
                    + width);
        }
        return values.length / width;
    }

    private static void checkLength(String name, float[] values, int n, int width) {
        if (count(name, values, width) != n) {
            throw new IllegalArgumentException(name + " has " + values.length + " values, expected " + n + " x "
                    + width + " = " + (long) n * width);
        }
    }

    private static void checkFinite(String name, float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException(name + "[" + i + "] is " + values[i]);
            }
        }
    }

    private static void checkProbabilities(String name, float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!(values[i] >= 0 && values[i] <= 1)) {
                throw new IllegalArgumentException(name + "[" + i + "] is " + values[i] + ", not a probability");
            }
        }
    }
}
