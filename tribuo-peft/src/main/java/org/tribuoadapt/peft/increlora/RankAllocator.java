package org.tribuoadapt.peft.increlora;

import org.tribuoadapt.core.train.NetworkOptimiser;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * IncreLoRA's rank allocator (Zhang et al. 2023, the authors' {@code RankAllocator}), run around the trainer's
 * optimiser. Before each step it reads every module's sensitivity {@code I} ({@link IncreLoraModule#sensitivity()});
 * after the step it smooths it, {@code Ī ← β1 Ī + (1 - β1) I}, then quantifies its uncertainty,
 * {@code Ū ← β2 Ū + (1 - β2) |I - Ī|} (with the new {@code Ī}), and scores each module {@code Ī Ū}. After step
 * {@code t} (counted from 1) with {@code t > initWarmup} and {@code t} a multiple of {@code incrementInterval}, the
 * {@code topH} highest-scored modules (ties go to the earlier module) each receive {@code incrementRank} ranks. The
 * total rank never passes the budget: the last increment gives only what is left, and a module at its capacity is
 * passed over. Once the budget is spent (or no module can grow) the reserves are dropped and scoring stops.
 */
final class RankAllocator implements NetworkOptimiser {

    private final NetworkOptimiser optimiser;
    private final List<IncreLoraModule> modules;
    private final IncreLoraSpec spec;
    private final int budget;
    private final double[] smoothed;
    private final double[] uncertainty;
    private int totalRank;
    private long steps;

    /**
     * Creates the allocator and starts scoring the modules (unless the budget is already spent).
     * @param optimiser The trainer's optimiser; the allocator owns it.
     * @param modules The adapter's modules.
     * @param spec The settings.
     * @param budget The total rank to reach.
     * @throws IllegalArgumentException if the modules already hold more than the budget.
     */
    RankAllocator(NetworkOptimiser optimiser, List<IncreLoraModule> modules, IncreLoraSpec spec, int budget) {
        this.optimiser = optimiser;
        this.modules = List.copyOf(modules);
        this.spec = spec;
        this.budget = budget;
        this.smoothed = new double[modules.size()];
        this.uncertainty = new double[modules.size()];
        for (IncreLoraModule m : modules) {
            totalRank += m.rank();
        }
        if (totalRank > budget) {
            throw new IllegalArgumentException("the IncreLoRA modules already hold a total rank of " + totalRank
                    + ", more than the budget " + budget);
        }
        if (growing()) {
            modules.forEach(m -> m.setScoring(true));
        } else {
            finish();
        }
    }

    /**
     * Whether ranks are still being allocated.
     * @return True until the budget is spent.
     */
    boolean growing() {
        return totalRank < budget && modules.stream().anyMatch(m -> m.rank() < m.capacity());
    }

    /**
     * The total rank of the modules.
     * @return The sum of their ranks.
     */
    int totalRank() {
        return totalRank;
    }

    @Override
    public void step() {
        double[] sensitivities = null;
        if (growing()) {
            sensitivities = new double[modules.size()];
            for (int i = 0; i < sensitivities.length; i++) {
                sensitivities[i] = modules.get(i).sensitivity();
            }
        }
        optimiser.step();
        if (sensitivities != null) {
            record(sensitivities);
        }
        advance();
    }

    /**
     * Updates the smoothed sensitivity and the uncertainty of every module.
     * @param sensitivities This step's sensitivity of each module.
     */
    void record(double[] sensitivities) {
        double beta1 = spec.beta1();
        double beta2 = spec.beta2();
        for (int i = 0; i < smoothed.length; i++) {
            smoothed[i] = beta1 * smoothed[i] + (1 - beta1) * sensitivities[i];
            uncertainty[i] = beta2 * uncertainty[i] + (1 - beta2) * Math.abs(sensitivities[i] - smoothed[i]);
        }
    }

    /**
     * The importance score of every module, {@code Ī Ū}.
     * @return The scores, in module order.
     */
    double[] scores() {
        double[] out = new double[smoothed.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = smoothed[i] * uncertainty[i];
        }
        return out;
    }

    /** Counts a finished step and, at an increment step, gives ranks to the highest-scored modules. */
    void advance() {
        steps++;
        if (growing() && steps > spec.initWarmup() && steps % spec.incrementInterval() == 0) {
            increase();
        }
    }

    private void increase() {
        double[] scores = scores();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingDouble((Integer i) -> -scores[i]));
        int given = 0;
        for (int i : order) {
            IncreLoraModule m = modules.get(i);
            int added = Math.min(spec.incrementRank(), Math.min(budget - totalRank, m.capacity() - m.rank()));
            if (given == spec.topH() || totalRank == budget) {
                break;
            }
            if (added > 0) {
                m.grow(added, spec.advanceLearn() ? spec.incrementRank() : 0);
                totalRank += added;
                given++;
            }
        }
        if (!growing()) {
            finish();
        }
    }

    private void finish() {
        for (IncreLoraModule m : modules) {
            m.dropReserve();
            m.setScoring(false);
        }
    }

    @Override
    public double learningRate() {
        return optimiser.learningRate();
    }

    @Override
    public void setLearningRate(double rate) {
        optimiser.setLearningRate(rate);
    }

    @Override
    public void close() {
        try {
            optimiser.close();
        } finally {
            modules.forEach(m -> m.setScoring(false));
        }
    }
}
