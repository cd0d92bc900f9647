package org.tribuoadapt.examples.bench.tta;

import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.classification.Label;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Model selection for few-shot fine-tuning without target validation data: the learning rate is chosen by stratified
 * cross-validation over the labelled shots themselves, so that no target label beyond the k shots per class is used
 * (Lee et al. 2023 argue for few-shot fine-tuning partly because source-free methods have no principled way to choose
 * hyper-parameters).
 * <p>
 * The rule: with k shots per class there are {@code F = max(2, min(k, }{@value #MAX_FOLDS}{@code ))} folds. The shot
 * of rank r (in the dataset's order) of the class with index c (classes in name order) goes to fold
 * {@code (r + c) mod F}, so every fold holds about k / F shots of every class, and with a single shot per class the
 * classes alternate between two folds. For every candidate rate, a model is fine-tuned on all folds but one and
 * scored on the held-out fold, for each fold in turn; the score is the share of held-out shots predicted correctly
 * over all folds. The highest score wins; ties go to the smaller rate, the more conservative update. The caller then
 * fine-tunes on all the shots with the chosen rate. With one shot per class, a held-out shot's class is absent from
 * its fold's training set, so the score measures how much fine-tuning on the other classes keeps the source model's
 * knowledge of that class, which penalises rates that overwrite the source model.
 */
final class ShotCrossValidation {

    /** The most folds used, whatever k is. */
    static final int MAX_FOLDS = 3;

    /**
     * Fine-tunes on a training set with one learning rate and counts the correct predictions on held-out shots.
     */
    @FunctionalInterface
    interface FoldScorer {
        /**
         * Scores one fold.
         * @param learningRate The candidate rate.
         * @param train The shots to fine-tune on.
         * @param heldOut The shots to predict.
         * @return How many held-out shots are predicted correctly.
         */
        int correct(double learningRate, List<Example<Label>> train, List<Example<Label>> heldOut);
    }

    /**
     * The chosen rate and every candidate's cross-validated accuracy.
     * @param learningRate The chosen rate.
     * @param accuracies The held-out accuracy of each candidate, in the order given.
     * @param folds The number of folds.
     */
    record Selection(double learningRate, Map<Double, Double> accuracies, int folds) {}

    private final List<Double> learningRates;

    /**
     * Creates the selection over candidate learning rates.
     * @param learningRates The candidates, positive and finite, at least one.
     */
    ShotCrossValidation(List<Double> learningRates) {
        if (learningRates.isEmpty()) {
            throw new IllegalArgumentException("cross-validation needs at least one candidate learning rate");
        }
        for (double rate : learningRates) {
            if (!(rate > 0) || Double.isInfinite(rate)) {
                throw new IllegalArgumentException("candidate learning rates must be positive and finite, found "
                        + rate);
            }
        }
        this.learningRates = List.copyOf(learningRates);
    }

    /**
     * The number of folds for k shots per class.
     * @param shotsPerClass k, at least 1.
     * @return {@code max(2, min(k, MAX_FOLDS))}.
     */
    static int foldCount(int shotsPerClass) {
        return Math.max(2, Math.min(shotsPerClass, MAX_FOLDS));
    }

    /**
     * The fold of every shot: {@code (rank within its class + class index) mod F}.
     * @param shots The shots.
     * @return The fold of each example, in the dataset's order.
     */
    static int[] folds(Dataset<Label> shots) {
        Map<String, Integer> perClass = shotsPerClass(shots);
        Map<String, Integer> classIndex = new TreeMap<>();
        for (String label : perClass.keySet()) {
            classIndex.put(label, classIndex.size());
        }
        int folds = foldCount(Collections.max(perClass.values()));
        Map<String, Integer> rank = new TreeMap<>();
        int[] out = new int[shots.size()];
        for (int i = 0; i < shots.size(); i++) {
            String label = shots.getExample(i).getOutput().getLabel();
            int r = rank.merge(label, 1, Integer::sum) - 1;
            out[i] = (r + classIndex.get(label)) % folds;
        }
        return out;
    }

    /**
     * Cross-validates every candidate rate on the shots.
     * @param shots The labelled shots, the only target labels used.
     * @param scorer Fine-tunes and scores one fold.
     * @return The chosen rate and the scores.
     * @throws IllegalArgumentException if no fold has both training and held-out shots (a single shot of a single
     * class).
     */
    Selection select(Dataset<Label> shots, FoldScorer scorer) {
        int folds = foldCount(Collections.max(shotsPerClass(shots).values()));
        int[] fold = folds(shots);
        List<List<Example<Label>>> train = new ArrayList<>();
        List<List<Example<Label>>> heldOut = new ArrayList<>();
        for (int f = 0; f < folds; f++) {
            train.add(new ArrayList<>());
            heldOut.add(new ArrayList<>());
        }
        for (int i = 0; i < shots.size(); i++) {
            for (int f = 0; f < folds; f++) {
                (fold[i] == f ? heldOut : train).get(f).add(shots.getExample(i));
            }
        }
        List<Integer> scored = new ArrayList<>();
        int scoredShots = 0;
        for (int f = 0; f < folds; f++) {
            if (!heldOut.get(f).isEmpty() && !train.get(f).isEmpty()) {
                scored.add(f);
                scoredShots += heldOut.get(f).size();
            }
        }
        if (scored.isEmpty()) {
            throw new IllegalArgumentException("cross-validation needs shots to train on and to hold out, found "
                    + shots.size() + " shot(s) of " + shotsPerClass(shots).size() + " class(es)");
        }
        Map<Double, Double> accuracies = new LinkedHashMap<>();
        double best = Double.NaN;
        double bestAccuracy = -1;
        for (double rate : learningRates) {
            int correct = 0;
            for (int f : scored) {
                correct += scorer.correct(rate, train.get(f), heldOut.get(f));
            }
            double accuracy = (double) correct / scoredShots;
            accuracies.put(rate, accuracy);
            if (accuracy > bestAccuracy || (accuracy == bestAccuracy && rate < best)) {
                best = rate;
                bestAccuracy = accuracy;
            }
        }
        return new Selection(best, accuracies, folds);
    }

    private static Map<String, Integer> shotsPerClass(Dataset<Label> shots) {
        if (shots.size() == 0) {
            throw new IllegalArgumentException("cross-validation needs shots, found none");
        }
        Map<String, Integer> perClass = new TreeMap<>();
        for (int i = 0; i < shots.size(); i++) {
            perClass.merge(shots.getExample(i).getOutput().getLabel(), 1, Integer::sum);
        }
        return perClass;
    }
}
