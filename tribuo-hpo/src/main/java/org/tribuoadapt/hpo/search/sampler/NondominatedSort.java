package org.tribuoadapt.hpo.search.sampler;

import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.Pareto;
import org.tribuoadapt.hpo.search.Trial;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fast non-dominated sort and the crowding distance of NSGA-II (Deb, Pratap, Agarwal and Meyarivan, "A Fast and
 * Elitist Multiobjective Genetic Algorithm: NSGA-II", IEEE Trans. Evolutionary Computation 2002, section III), with
 * the orders and tie rules of Optuna 3.1's {@code NSGAIISampler}, so that both pick the same elite from the same
 * trials.
 */
final class NondominatedSort {

    private NondominatedSort() {}

    /**
     * Splits trials into fronts: the first is dominated by none, each next one only by trials of earlier fronts.
     * Within a front the order is Optuna's (a taken trial's place is filled by the last remaining one).
     * @param population The trials.
     * @param directions The study's directions.
     * @return The fronts, best first.
     */
    static List<List<Trial>> fronts(List<Trial> population, List<Direction> directions) {
        Map<Integer, Integer> dominatedCount = new HashMap<>();
        Map<Integer, List<Integer>> dominatesList = new HashMap<>();
        for (int i = 0; i < population.size(); i++) {
            for (int j = i + 1; j < population.size(); j++) {
                Trial p = population.get(i);
                Trial q = population.get(j);
                if (Pareto.dominates(p, q, directions)) {
                    dominatesList.computeIfAbsent(p.number(), k -> new ArrayList<>()).add(q.number());
                    dominatedCount.merge(q.number(), 1, Integer::sum);
                } else if (Pareto.dominates(q, p, directions)) {
                    dominatesList.computeIfAbsent(q.number(), k -> new ArrayList<>()).add(p.number());
                    dominatedCount.merge(p.number(), 1, Integer::sum);
                }
            }
        }
        List<Trial> remaining = new ArrayList<>(population);
        List<List<Trial>> fronts = new ArrayList<>();
        while (!remaining.isEmpty()) {
            List<Trial> front = new ArrayList<>();
            int i = 0;
            while (i < remaining.size()) {
                if (dominatedCount.getOrDefault(remaining.get(i).number(), 0) == 0) {
                    front.add(remaining.get(i));
                    Trial last = remaining.remove(remaining.size() - 1);
                    if (i < remaining.size()) {
                        remaining.set(i, last);
                    }
                } else {
                    i++;
                }
            }
            for (Trial t : front) {
                for (int dominated : dominatesList.getOrDefault(t.number(), List.of())) {
                    dominatedCount.merge(dominated, -1, Integer::sum);
                }
            }
            fronts.add(front);
        }
        return fronts;
    }

    /**
     * The crowding distance of each trial of a front: over the objectives, the gap between its two neighbours in that
     * objective (infinite at the ends; 0 between equal values; nothing when the objective is constant) divided by the
     * range of the finite values. As in Optuna, the list is left sorted by the last objective that varies.
     * @param front The trials, reordered in place.
     * @return The distance by trial number.
     */
    static Map<Integer, Double> crowdingDistances(List<Trial> front) {
        Map<Integer, Double> distances = new HashMap<>();
        if (front.isEmpty()) {
            return distances;
        }
        int objectives = front.get(0).values().size();
        for (int m = 0; m < objectives; m++) {
            int objective = m;
            front.sort(Comparator.comparingDouble(t -> t.values().get(objective)));
            double first = front.get(0).values().get(m);
            double lastValue = front.get(front.size() - 1).values().get(m);
            if (first == lastValue) {
                continue;
            }
            double[] vs = new double[front.size() + 2];
            vs[0] = Double.NEGATIVE_INFINITY;
            vs[vs.length - 1] = Double.POSITIVE_INFINITY;
            for (int j = 0; j < front.size(); j++) {
                vs[j + 1] = front.get(j).values().get(m);
            }
            double min = Double.NaN;
            for (double v : vs) {
                if (v != Double.NEGATIVE_INFINITY) {
                    min = v;
                    break;
                }
            }
            double max = Double.NaN;
            for (int j = vs.length - 1; j >= 0; j--) {
                if (vs[j] != Double.POSITIVE_INFINITY) {
                    max = vs[j];
                    break;
                }
            }
            double width = max - min;
            if (width <= 0) {
                width = 1;
            }
            for (int j = 0; j < front.size(); j++) {
                double gap = vs[j] == vs[j + 2] ? 0 : vs[j + 2] - vs[j];
                distances.merge(front.get(j).number(), gap / width, Double::sum);
            }
        }
        return distances;
    }

    /**
     * Orders a front by decreasing crowding distance, as Optuna's {@code _crowding_distance_sort} (a stable ascending
     * sort, then reversed).
     * @param front The trials, reordered in place.
     */
    static void sortByCrowding(List<Trial> front) {
        Map<Integer, Double> distances = crowdingDistances(front);
        front.sort(Comparator.comparingDouble(t -> distances.getOrDefault(t.number(), 0.0)));
        Collections.reverse(front);
    }
}
