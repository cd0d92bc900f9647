package org.tribuoadapt.core.model;

import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;
import com.oracle.labs.mlrg.olcut.provenance.primitives.BooleanProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.DoubleProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import org.tribuo.provenance.ModelProvenance;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.Kernels;
import org.tribuoadapt.core.train.EpochSummary;
import org.tribuoadapt.core.train.TrainingHistory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run-provenance entries every network model records: the SHA-256 of its weights, the DJL and PyTorch versions,
 * thread count and kernel path that produced them, and a summary of the training run (epochs, best epoch, losses and the
 * learning-rate trajectory).
 */
public final class NetworkProvenance {

    /** SHA-256 of the model's weights (its safetensors bytes). */
    public static final String WEIGHTS_SHA256 = "weights-sha256";
    /** DJL version. */
    public static final String DJL_VERSION = "djl-version";
    /** PyTorch native version. */
    public static final String PYTORCH_VERSION = "pytorch-version";
    /** PyTorch intra-op threads; bit-identical results need the same count. */
    public static final String INTRA_OP_THREADS = "intra-op-threads";
    /** The {@link org.tribuoadapt.core.nn.KernelPath} convolutions and GELU took, and why. */
    public static final String KERNEL_PATH = "kernel-path";
    /** Epochs actually run. */
    public static final String EPOCHS_RUN = "epochs-run";
    /** Epoch whose weights were kept. */
    public static final String BEST_EPOCH = "best-epoch";
    /** Whether early stopping ended the run. */
    public static final String STOPPED_EARLY = "stopped-early";
    /** Mean training loss of the kept epoch. */
    public static final String TRAIN_LOSS = "train-loss";
    /** Validation loss of the kept epoch (only with a validation split). */
    public static final String VALIDATION_LOSS = "validation-loss";
    /** Optimiser steps taken. */
    public static final String STEPS = "steps";
    /** Learning rate of the first step. */
    public static final String LEARNING_RATE_FIRST = "learning-rate-first";
    /** Learning rate of the last step. */
    public static final String LEARNING_RATE_LAST = "learning-rate-last";
    /** Smallest learning rate used. */
    public static final String LEARNING_RATE_MIN = "learning-rate-min";
    /** Largest learning rate used. */
    public static final String LEARNING_RATE_MAX = "learning-rate-max";
    /** SHA-256 of the weights a run started from. */
    public static final String INITIAL_WEIGHTS_SHA256 = "initial-weights-sha256";

    /**
     * Key of the learning-rate changes a schedule made, {@code "after epoch 7: 8.0E-4; after epoch 12: 6.4E-4"}
     * ({@code "none"} if it made none).
     */
    public static final String LEARNING_RATE_CHANGES = "learning-rate-changes";

    private NetworkProvenance() {}

    /**
     * The hex SHA-256 of a byte array, as OLCUT writes resource hashes.
     * @param bytes The bytes.
     * @return The hash.
     */
    public static String sha256(byte[] bytes) {
        return ProvenanceUtil.hashArray(ProvenanceUtil.HashType.SHA256, bytes);
    }

    /**
     * Entries describing a set of weights and the runtime.
     * @param weights The safetensors bytes of the weights.
     * @return An ordered map of provenance entries.
     */
    public static Map<String, Provenance> describeWeights(byte[] weights) {
        Map<String, Provenance> out = new LinkedHashMap<>();
        out.put(WEIGHTS_SHA256, new StringProvenance(WEIGHTS_SHA256, sha256(weights)));
        out.put(DJL_VERSION, new StringProvenance(DJL_VERSION, DjlRuntime.djlVersion()));
        out.put(PYTORCH_VERSION, new StringProvenance(PYTORCH_VERSION, DjlRuntime.pytorchVersion()));
        out.put(INTRA_OP_THREADS, new IntProvenance(INTRA_OP_THREADS, DjlRuntime.intraOpThreads()));
        out.put(KERNEL_PATH, new StringProvenance(KERNEL_PATH, Kernels.path().setting() + " (" + Kernels.reason() + ")"));
        return out;
    }

    /**
     * Checks that weights are the ones a model's provenance records, so that a model file changed after it was
     * written is never used.
     * @param provenance The model's provenance.
     * @param weights The safetensors bytes of its weights.
     * @throws IllegalStateException if the provenance records a {@value #WEIGHTS_SHA256} that the weights do not have.
     */
    public static void verifyWeights(ModelProvenance provenance, byte[] weights) {
        Provenance recorded = provenance.getInstanceProvenance().getMap().get(WEIGHTS_SHA256);
        if (recorded != null) {
            String expected = ((StringProvenance) recorded).getValue();
            String actual = sha256(weights);
            if (!expected.equalsIgnoreCase(actual)) {
                throw new IllegalStateException("the model's weights have SHA-256 " + actual + " but its provenance "
                        + "records " + expected + ": the weights were changed after the model was written");
            }
        }
    }

    /**
     * Entries summarising a training run.
     * @param history The run's history.
     * @return An ordered map of provenance entries.
     */
    public static Map<String, Provenance> describeTraining(TrainingHistory history) {
        Map<String, Provenance> out = new LinkedHashMap<>();
        out.put(EPOCHS_RUN, new IntProvenance(EPOCHS_RUN, history.epochs().size()));
        out.put(BEST_EPOCH, new IntProvenance(BEST_EPOCH, history.bestEpoch()));
        out.put(STOPPED_EARLY, new BooleanProvenance(STOPPED_EARLY, history.stoppedEarly()));
        out.put(STEPS, new IntProvenance(STEPS, history.steps()));
        out.put(TRAIN_LOSS, new DoubleProvenance(TRAIN_LOSS, history.best().trainLoss()));
        if (!Double.isNaN(history.best().validationLoss())) {
            out.put(VALIDATION_LOSS, new DoubleProvenance(VALIDATION_LOSS, history.best().validationLoss()));
        }
        double[] rates = history.stepLearningRates();
        if (rates.length > 0) {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (double r : rates) {
                min = Math.min(min, r);
                max = Math.max(max, r);
            }
            out.put(LEARNING_RATE_FIRST, new DoubleProvenance(LEARNING_RATE_FIRST, rates[0]));
            out.put(LEARNING_RATE_LAST, new DoubleProvenance(LEARNING_RATE_LAST, rates[rates.length - 1]));
            out.put(LEARNING_RATE_MIN, new DoubleProvenance(LEARNING_RATE_MIN, min));
            out.put(LEARNING_RATE_MAX, new DoubleProvenance(LEARNING_RATE_MAX, max));
        }
        return out;
    }

    /**
     * The learning-rate changes of a run whose optimiser kept its rate within each epoch (a
     * {@link org.tribuoadapt.core.train.LearningRateSchedule}'s run): every epoch whose rate differs from the one
     * before it, as a change made after the one before it.
     * @param history The run's history.
     * @return The {@link #LEARNING_RATE_CHANGES} entry.
     */
    public static Map<String, Provenance> describeLearningRateChanges(TrainingHistory history) {
        List<EpochSummary> epochs = history.epochs();
        StringBuilder changes = new StringBuilder();
        for (int i = 1; i < epochs.size(); i++) {
            double rate = epochs.get(i).learningRate();
            if (rate != epochs.get(i - 1).learningRate()) {
                changes.append(changes.length() == 0 ? "" : "; ").append("after epoch ").append(i).append(": ").append(rate);
            }
        }
        String value = changes.length() == 0 ? "none" : changes.toString();
        return Map.of(LEARNING_RATE_CHANGES, new StringProvenance(LEARNING_RATE_CHANGES, value));
    }
}
