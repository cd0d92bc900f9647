package org.tribuoadapt.core.model;

import org.tribuoadapt.core.protos.EpochSummaryProto;
import org.tribuoadapt.core.protos.TrainingHistoryProto;
import org.tribuoadapt.core.train.EpochSummary;
import org.tribuoadapt.core.train.TrainingHistory;

import java.util.ArrayList;
import java.util.List;

/**
 * Converts {@link TrainingHistory} to and from its protobuf form. Public so that other modules' models can store a
 * training history in their own protobuf messages.
 */
public final class TrainingHistoryProtos {

    private TrainingHistoryProtos() {}

    /**
     * Converts a history to its protobuf form.
     * @param history The history.
     * @return The message.
     */
    public static TrainingHistoryProto toProto(TrainingHistory history) {
        TrainingHistoryProto.Builder b = TrainingHistoryProto.newBuilder()
                .setBestEpoch(history.bestEpoch())
                .setStoppedEarly(history.stoppedEarly());
        for (EpochSummary e : history.epochs()) {
            b.addEpochs(EpochSummaryProto.newBuilder()
                    .setEpoch(e.epoch())
                    .setTrainLoss(e.trainLoss())
                    .setValidationLoss(e.validationLoss())
                    .setValidationAccuracy(e.validationAccuracy())
                    .setLearningRate(e.learningRate())
                    .setSeconds(e.seconds()));
        }
        for (double loss : history.stepLosses()) {
            b.addStepLosses(loss);
        }
        for (double rate : history.stepLearningRates()) {
            b.addStepLearningRates(rate);
        }
        return b.build();
    }

    /**
     * Converts a message written by {@link #toProto} back to a history.
     * @param proto The message.
     * @return The history.
     */
    public static TrainingHistory fromProto(TrainingHistoryProto proto) {
        List<EpochSummary> epochs = new ArrayList<>();
        for (EpochSummaryProto e : proto.getEpochsList()) {
            epochs.add(new EpochSummary(e.getEpoch(), e.getTrainLoss(), e.getValidationLoss(), e.getValidationAccuracy(),
                    e.getLearningRate(), e.getSeconds()));
        }
        double[] losses = proto.getStepLossesList().stream().mapToDouble(Double::doubleValue).toArray();
        double[] rates = proto.getStepLearningRatesList().stream().mapToDouble(Double::doubleValue).toArray();
        return new TrainingHistory(epochs, losses, rates, proto.getBestEpoch(), proto.getStoppedEarly());
    }
}
