package org.tribuoadapt.tta.da.paretoda;

import org.tribuoadapt.core.bridge.TensorDataset;

import java.util.SplittableRandom;

/**
 * Endless minibatches of a fixed size over {@code n} examples: a seeded permutation is consumed in order and drawn
 * afresh when fewer than a batch remain, like the reference code's endless data iterators with {@code drop_last}.
 */
final class BatchCycle {

    private final int n;
    private final int batchSize;
    private final SplittableRandom rng;
    private int[] order;
    private int position;

    BatchCycle(int n, int batchSize, SplittableRandom rng) {
        this.n = n;
        this.batchSize = batchSize;
        this.rng = rng;
        this.order = TensorDataset.permutation(n, rng);
    }

    /**
     * The next batch.
     * @return {@code batchSize} distinct example indices.
     */
    int[] next() {
        if (position + batchSize > n) {
            order = TensorDataset.permutation(n, rng);
            position = 0;
        }
        int[] out = new int[batchSize];
        System.arraycopy(order, position, out, 0, batchSize);
        position += batchSize;
        return out;
    }
}
