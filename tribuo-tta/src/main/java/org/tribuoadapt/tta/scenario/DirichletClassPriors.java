package org.tribuoadapt.tta.scenario;

import org.tribuoadapt.core.bridge.TensorDataset;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Label shift by Dirichlet class priors, the target label distributions of Park et al. (2023, "Label Shift Adapter
 * for Test-Time Adaptation under Covariate and Label Shifts", ICCV) and of the label-shift literature since Lipton,
 * Wang and Smola (2018): one class-prior vector {@code pi} is drawn from a symmetric Dirichlet(alpha), then the
 * largest subsample (at most {@code limit} examples) whose class counts are {@code pi} times its size, rounded by
 * largest remainders, is drawn without replacement from each class. The realised frequency of every class is
 * within {@code 1 / size} of its prior. A small alpha gives a few dominant classes, a large one nearly the
 * original frequencies.
 */
final class DirichletClassPriors {

    /**
     * A drawn prior and the subsample that follows it.
     * @param priors The class priors, in label-id order.
     * @param indices The kept positions, in increasing order.
     */
    record Draw(double[] priors, int[] indices) {}

    private DirichletClassPriors() {}

    /**
     * Draws a prior and a subsample that follows it.
     * @param labels The label id at each position.
     * @param numClasses The number of classes.
     * @param concentration The Dirichlet concentration alpha, positive.
     * @param limit The largest subsample; 0 for no limit besides the available examples.
     * @param rng The random stream.
     * @return The prior and the subsample.
     * @throws IllegalArgumentException if a class has no example, or the subsample would be empty.
     */
    static Draw draw(int[] labels, int numClasses, double concentration, int limit, SplittableRandom rng) {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < numClasses; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            byClass.get(labels[i]).add(i);
        }
        double[] priors = DirichletSampler.sample(concentration, numClasses, rng);
        double largest = limit > 0 ? Math.min(limit, labels.length) : labels.length;
        for (int c = 0; c < numClasses; c++) {
            if (byClass.get(c).isEmpty()) {
                throw new IllegalArgumentException("class " + c + " has no example, so Dirichlet class priors (alpha "
                        + concentration + ") cannot be followed; every class needs examples");
            }
            if (priors[c] > 0) {
                largest = Math.min(largest, byClass.get(c).size() / priors[c]);
            }
        }
        int size = (int) Math.floor(largest);
        if (size < 1) {
            throw new IllegalArgumentException("no subsample of " + labels.length + " examples follows the Dirichlet "
                    + "class priors " + Arrays.toString(priors));
        }
        // counts[c] <= size * priors[c] rounded up, which never exceeds the class's examples
        int[] counts = largestRemainders(priors, size);
        int[] indices = new int[size];
        int k = 0;
        for (int c = 0; c < numClasses; c++) {
            List<Integer> members = byClass.get(c);
            int[] order = TensorDataset.permutation(members.size(), rng);
            for (int j = 0; j < counts[c]; j++) {
                indices[k++] = members.get(order[j]);
            }
        }
        Arrays.sort(indices);
        return new Draw(priors, indices);
    }

    /** Integer counts summing to {@code size} that round {@code size * priors} by largest remainders. */
    private static int[] largestRemainders(double[] priors, int size) {
        int[] counts = new int[priors.length];
        Integer[] byRemainder = new Integer[priors.length];
        double[] remainders = new double[priors.length];
        int assigned = 0;
        for (int c = 0; c < priors.length; c++) {
            double exact = size * priors[c];
            counts[c] = (int) Math.floor(exact);
            remainders[c] = exact - counts[c];
            assigned += counts[c];
            byRemainder[c] = c;
        }
        Arrays.sort(byRemainder, (a, b) -> Double.compare(remainders[b], remainders[a]));
        for (int j = 0; assigned < size; j++, assigned++) {
            counts[byRemainder[j]]++;
        }
        return counts;
    }
}
