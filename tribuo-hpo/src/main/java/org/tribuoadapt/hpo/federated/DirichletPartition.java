package org.tribuoadapt.hpo.federated;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A non-i.i.d. split of a labelled dataset over K clients (Hsu, Qi and Brown 2019, "Measuring the Effects of
 * Non-Identical Data Distribution for Federated Visual Classification", Section 3): for every class, the class's
 * examples are shuffled and dealt to the clients in proportions drawn from a symmetric Dirichlet(alpha). Small
 * alpha gives each client few classes; large alpha approaches an i.i.d. split. The split depends only on the labels,
 * K, alpha and the seed, and it is drawn again (from the same stream) until every client holds at least the
 * required number of examples.
 */
public final class DirichletPartition {

    /** How many draws are tried before giving up on the minimum client size. */
    public static final int MAX_ATTEMPTS = 1000;

    private final int[][] clients;

    private DirichletPartition(int[][] clients) {
        this.clients = clients;
    }

    /**
     * Splits example indices over clients.
     * @param labels The label id of every example.
     * @param numClasses The number of classes (label ids are below it).
     * @param numClients K.
     * @param alpha The Dirichlet concentration, positive.
     * @param seed The seed of the split.
     * @param minExamples The fewest examples any client may hold.
     * @return The partition.
     * @throws IllegalArgumentException if the settings are impossible or no draw within {@link #MAX_ATTEMPTS} gives
     *     every client {@code minExamples} examples.
     */
    public static DirichletPartition split(int[] labels, int numClasses, int numClients, double alpha, long seed, int minExamples) {
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("the Dirichlet concentration alpha must be positive and finite, found " + alpha);
        }
        if (numClients < 1) {
            throw new IllegalArgumentException("need at least one client, found " + numClients);
        }
        if ((long) numClients * minExamples > labels.length) {
            throw new IllegalArgumentException("cannot give " + numClients + " clients at least " + minExamples
                    + " examples each from " + labels.length + " examples");
        }
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < numClasses; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("label id " + labels[i] + " of example " + i + " is outside [0, " + numClasses + ")");
            }
            byClass.get(labels[i]).add(i);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            int[][] drawn = draw(byClass, numClients, alpha, rng);
            if (Arrays.stream(drawn).allMatch(c -> c.length >= minExamples)) {
                return new DirichletPartition(drawn);
            }
        }
        throw new IllegalArgumentException("no Dirichlet(" + alpha + ") split of " + labels.length + " examples over "
                + numClients + " clients gave every client at least " + minExamples + " examples in " + MAX_ATTEMPTS
                + " draws; use fewer clients or a larger alpha");
    }

    private static int[][] draw(List<List<Integer>> byClass, int numClients, double alpha, SplittableRandom rng) {
        List<List<Integer>> assigned = new ArrayList<>();
        for (int k = 0; k < numClients; k++) {
            assigned.add(new ArrayList<>());
        }
        for (List<Integer> members : byClass) {
            int[] shuffled = members.stream().mapToInt(Integer::intValue).toArray();
            for (int i = shuffled.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int tmp = shuffled[i];
                shuffled[i] = shuffled[j];
                shuffled[j] = tmp;
            }
            double[] proportions = Dirichlet.sample(numClients, alpha, rng);
            double cumulative = 0;
            int from = 0;
            for (int k = 0; k < numClients; k++) {
                cumulative += proportions[k];
                int to = k == numClients - 1 ? shuffled.length : (int) Math.min(shuffled.length, Math.round(cumulative * shuffled.length));
                for (int i = from; i < to; i++) {
                    assigned.get(k).add(shuffled[i]);
                }
                from = Math.max(from, to);
            }
        }
        int[][] out = new int[numClients][];
        for (int k = 0; k < numClients; k++) {
            out[k] = assigned.get(k).stream().mapToInt(Integer::intValue).sorted().toArray();
        }
        return out;
    }

    /**
     * The number of clients.
     * @return K.
     */
    public int numClients() {
        return clients.length;
    }

    /**
     * The example indices of one client, ascending.
     * @param client The client, from 0.
     * @return A copy of its indices.
     */
    public int[] client(int client) {
        return clients[client].clone();
    }

    /**
     * The number of examples of every client.
     * @return The sizes.
     */
    public int[] sizes() {
        return Arrays.stream(clients).mapToInt(c -> c.length).toArray();
    }
}
