package org.tribuoadapt.hpo.federated;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import org.tribuoadapt.core.nn.Parameter;

import java.util.List;

/**
 * The server side of FedHyper (Zhou et al. 2024, "FedHyper: A Universal and Robust Learning Rate Scheduler for
 * Federated Learning with Hypergradient Descent", ICLR; rules and constants as in the authors' code): after each
 * round it turns the averaged client update {@code Delta_t} into the new global weights with the chosen
 * {@link GlobalScheduler}, and, for the server-side local scheduler (SL), sets the next round's client learning
 * rate to {@code clip(eta_0 (1 + a_SL), min, max)} with {@code a_SL} the running sum of {@code Delta_t . Delta_{t-1}}.
 * The first hypergradient is taken in round 2. It also keeps {@code Delta_{t-1}}, which the client-side scheduler
 * (CL) reads.
 * <p>
 * State tensors live in their own native memory, freed by {@link #close()}.
 */
final class FedHyperSchedule implements AutoCloseable {
    /** Bounds of the accumulator of FedHyper-G. */
    static final double G_MIN = -0.8;
    static final double G_MAX = 4.0;
    /** Bounds of the accumulator of FedHyper-GM. */
    static final double GM_MIN = -0.2;
    static final double GM_MAX = 4.0;
    /** Server momentum of FedHyper-GM. */
    static final double GM_MOMENTUM = 0.9;

    private static final NDIndex ALL = new NDIndex("...");

    private final GlobalScheduler global;
    private final boolean serverSideLocal;
    private final double initialLearningRate;
    private final double serverLocalMin;
    private final double serverLocalMax;
    private final NDManager manager;
    private final NDArray[] previousUpdate;
    private final NDArray[] momentum;
    private double globalAccumulator;
    private double serverLocalAccumulator;
    private int rounds;

    /**
     * Creates the schedule before the first round.
     * @param weights The global network's trainable weights, in a fixed order.
     * @param global The global scheduler.
     * @param serverSideLocal Whether the SL scheduler sets the client learning rate.
     * @param initialLearningRate The clients' initial learning rate eta_0.
     * @param serverLocalMin The lower clip of SL's client learning rate.
     * @param serverLocalMax The upper clip of SL's client learning rate.
     */
    FedHyperSchedule(List<Parameter> weights, GlobalScheduler global, boolean serverSideLocal, double initialLearningRate,
                     double serverLocalMin, double serverLocalMax) {
        this.global = global;
        this.serverSideLocal = serverSideLocal;
        this.initialLearningRate = initialLearningRate;
        this.serverLocalMin = serverLocalMin;
        this.serverLocalMax = serverLocalMax;
        this.manager = weights.get(0).array().getManager().newSubManager();
        this.previousUpdate = zeros(weights);
        this.momentum = global == GlobalScheduler.GM ? zeros(weights) : null;
    }

    private NDArray[] zeros(List<Parameter> weights) {
        NDArray[] out = new NDArray[weights.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = manager.zeros(weights.get(i).shape());
            NDScope.unregister(out[i]);
        }
        return out;
    }

    /**
     * The learning rate every client starts the next round with.
     * @return eta_0, or SL's clipped rate once a hypergradient has been seen.
     */
    double clientLearningRate() {
        if (!serverSideLocal || rounds < 2) {
            return initialLearningRate;
        }
        return Math.min(serverLocalMax, Math.max(serverLocalMin, initialLearningRate * (1 + serverLocalAccumulator)));
    }

    /**
     * The factor the global scheduler applies to the averaged update (1 for FedAvg).
     * @return {@code 1 + a}.
     */
    double globalMultiplier() {
        return global == GlobalScheduler.NONE ? 1.0 : 1.0 + globalAccumulator;
    }

    /**
     * The averaged update of the last round, {@code Delta_{t-1}} (zeros before the first round ends); read only.
     * @return One tensor per weight.
     */
    NDArray[] previousUpdate() {
        return previousUpdate;
    }

    /**
     * Ends a round: computes {@code Delta_t = average - start}, moves the accumulators, and writes the new global
     * weights. Temporary tensors belong to the caller's scope.
     * @param weights The global network's trainable weights (overwritten).
     * @param start The weights at the start of the round, {@code x_t}.
     * @param average The clients' weighted average.
     * @throws IllegalStateException if the averaged update is not finite.
     */
    void endRound(List<Parameter> weights, NDArray[] start, NDArray[] average) {
        NDArray[] update = new NDArray[weights.size()];
        double rawDot = 0;
        double momentumDot = 0;
        for (int i = 0; i < update.length; i++) {
            update[i] = average[i].sub(start[i]);
            rawDot += update[i].mul(previousUpdate[i]).sum().getFloat();
            if (momentum != null) {
                momentumDot += update[i].mul(momentum[i]).sum().getFloat();
            }
        }
        rounds++;
        if (!Double.isFinite(rawDot) || !Double.isFinite(momentumDot)) {
            throw new IllegalStateException("the averaged client update of round " + rounds + " has NaN or infinite "
                    + "values; the clients diverged, lower the learning rate");
        }
        if (rounds >= 2) {
            if (global == GlobalScheduler.G) {
                globalAccumulator = Math.min(G_MAX, Math.max(G_MIN, globalAccumulator + rawDot));
            } else if (global == GlobalScheduler.GM) {
                globalAccumulator = Math.min(GM_MAX, Math.max(GM_MIN, globalAccumulator + momentumDot));
            }
            serverLocalAccumulator += rawDot;
        }
        for (int i = 0; i < update.length; i++) {
            NDArray next;
            switch (global) {
                case G:
                    next = average[i].add(update[i].mul(globalAccumulator));
                    break;
                case GM:
                    next = average[i].add(update[i].add(momentum[i].mul(GM_MOMENTUM)).muli(globalAccumulator));
                    momentum[i].muli(GM_MOMENTUM).addi(update[i]);
                    break;
                default:
                    next = average[i];
            }
            weights.get(i).copyFrom(next);
            previousUpdate[i].set(ALL, update[i]);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
