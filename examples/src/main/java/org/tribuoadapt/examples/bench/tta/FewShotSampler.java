package org.tribuoadapt.examples.bench.tta;

import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Draws a seeded, stratified k-shot training set (Lee et al. 2023, "Few-shot Fine-tuning is All You Need for
 * Source-free Domain Adaptation": a handful of labelled target examples per class) and keeps the other examples as the
 * evaluation set, so the shots never appear in the evaluation stream. Each class's examples are shuffled once with the
 * seed and its first {@code k} become the shots; the sets for smaller k are the prefixes of the largest, so the
 * 1-shot set lies inside the 5-shot set and every shot count shares one evaluation set.
 */
public final class FewShotSampler {

    private final int maxShots;
    private final long seed;

    /**
     * Creates a sampler.
     * @param maxShots The largest number of shots per class that will be asked for, at least 1.
     * @param seed The seed of the per-class shuffles.
     */
    public FewShotSampler(int maxShots, long seed) {
        if (maxShots < 1) {
            throw new IllegalArgumentException("maxShots must be at least 1, found " + maxShots);
        }
        this.maxShots = maxShots;
        this.seed = seed;
    }

    /**
     * Splits a labelled dataset into per-class shot orders and the evaluation rest.
     * @param data The labelled target-domain pool.
     * @return The split.
     * @throws IllegalArgumentException if the data is empty or a class has fewer than {@code maxShots} examples.
     */
    public Split split(Dataset<Label> data) {
        if (data.size() == 0) {
            throw new IllegalArgumentException("cannot draw shots from an empty dataset");
        }
        Map<String, List<Integer>> byClass = new TreeMap<>();
        for (int i = 0; i < data.size(); i++) {
            byClass.computeIfAbsent(data.getExample(i).getOutput().getLabel(), c -> new ArrayList<>()).add(i);
        }
        Random rng = new Random(seed);
        boolean[] isShot = new boolean[data.size()];
        Map<String, List<Example<Label>>> shots = new TreeMap<>();
        for (Map.Entry<String, List<Integer>> entry : byClass.entrySet()) {
            List<Integer> indices = entry.getValue();
            if (indices.size() < maxShots) {
                throw new IllegalArgumentException("class '" + entry.getKey() + "' has " + indices.size()
                        + " examples, fewer than the " + maxShots + " shots asked for");
            }
            Collections.shuffle(indices, rng);
            List<Example<Label>> classShots = new ArrayList<>();
            for (int s = 0; s < maxShots; s++) {
                isShot[indices.get(s)] = true;
                classShots.add(data.getExample(indices.get(s)));
            }
            shots.put(entry.getKey(), classShots);
        }
        MutableDataset<Label> rest = new MutableDataset<>(data.getProvenance(), data.getOutputFactory());
        for (int i = 0; i < data.size(); i++) {
            if (!isShot[i]) {
                rest.add(data.getExample(i));
            }
        }
        return new Split(shots, rest, maxShots, data);
    }

    /**
     * The shots of every class in their drawn order, and the examples that are never shots.
     */
    public static final class Split {
        private final Map<String, List<Example<Label>>> shots;
        private final MutableDataset<Label> rest;
        private final int maxShots;
        private final Dataset<Label> source;

        private Split(Map<String, List<Example<Label>>> shots, MutableDataset<Label> rest, int maxShots,
                      Dataset<Label> source) {
            this.shots = shots;
            this.rest = rest;
            this.maxShots = maxShots;
            this.source = source;
        }

        /**
         * The first {@code k} shots of every class.
         * @param k Shots per class, 1 to the sampler's maximum.
         * @return A dataset of {@code k} examples per class.
         */
        public MutableDataset<Label> shots(int k) {
            if (k < 1 || k > maxShots) {
                throw new IllegalArgumentException("k must be between 1 and " + maxShots + ", found " + k);
            }
            MutableDataset<Label> out = new MutableDataset<>(source.getProvenance(), source.getOutputFactory());
            for (List<Example<Label>> classShots : shots.values()) {
                for (int s = 0; s < k; s++) {
                    out.add(classShots.get(s));
                }
            }
            return out;
        }

        /**
         * The examples that are never shots (for any k up to the maximum): the evaluation set.
         * @return The evaluation examples, in their original order.
         */
        public MutableDataset<Label> rest() {
            return rest;
        }
    }
}
