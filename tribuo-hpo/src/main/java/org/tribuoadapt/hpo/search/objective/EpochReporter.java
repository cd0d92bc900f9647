package org.tribuoadapt.hpo.search.objective;

import ai.djl.ndarray.types.Shape;
import org.tribuo.Dataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelConfusionMatrix;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.model.AbstractNetworkModel;
import org.tribuoadapt.core.model.LabelPredictions;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.train.EpochSummary;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.hpo.search.ActiveTrial;
import org.tribuoadapt.hpo.search.TrialPruned;

/**
 * Reports an objective's validation metric after every epoch as the trial's intermediate value and stops training
 * (by throwing {@link TrialPruned}) when the study's pruner says so. The network predicts the validation data the
 * way a finished model does ({@link LabelPredictions}), so the last epoch's report is the value the trial returns
 * when training keeps the last epoch's weights.
 */
final class EpochReporter implements TrainingListener {

    private final ActiveTrial trial;
    private final ConfigObjective.Metric metric;
    private final Dataset<Label> train;
    private final Dataset<Label> validation;
    private final FeatureTensorizer tensorizer;

    /**
     * Creates a reporter for one training run.
     * @param trial The trial.
     * @param metric The metric.
     * @param train The training data (its feature and label ids are the network's).
     * @param validation The validation data.
     * @param inputShape The network's input shape.
     */
    EpochReporter(ActiveTrial trial, ConfigObjective.Metric metric, Dataset<Label> train, Dataset<Label> validation,
                  Shape inputShape) {
        this.trial = trial;
        this.metric = metric;
        this.train = train;
        this.validation = validation;
        this.tensorizer = new FeatureTensorizer(train.getFeatureIDMap(), inputShape);
    }

    @Override
    public void onEpoch(EpochSummary summary, Network network) {
        double value = metric.of(new LabelConfusionMatrix(train.getOutputIDInfo(), LabelPredictions.predict(validation,
                AbstractNetworkModel.PREDICTION_BATCH_SIZE, tensorizer, network.manager(), batch -> {
                    try (GradientMode ignored = GradientMode.disabled()) {
                        return network.forward(batch, ForwardContext.inference(batch.getManager()));
                    }
                }, train.getOutputIDInfo(), train.getFeatureIDMap())));
        trial.report(summary.epoch(), value);
        if (trial.shouldPrune()) {
            throw new TrialPruned("validation " + metric + " " + value + " after epoch " + summary.epoch());
        }
    }
}
