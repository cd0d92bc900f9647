package org.tribuoadapt.examples.steps;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuo.Dataset;
import org.tribuo.Model;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.train.EpochSummary;
import org.tribuoadapt.core.train.TrainingHistory;
import org.tribuoadapt.report.LineChart;
import org.tribuoadapt.report.ReportSection;
import org.tribuoadapt.report.ReportTable;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.tribuoadapt.pipeline.EvaluationMetrics;
import org.tribuoadapt.pipeline.Pipeline;
import org.tribuoadapt.pipeline.PipelineContext;
import org.tribuoadapt.pipeline.PipelineStep;

/**
 * Trains a model on a dataset of the run, evaluates it on another, publishes it under a name for later steps, and
 * reports accuracy, training time and (for networks) the training curves.
 */
public final class SourceTrainingStep implements PipelineStep {

    @Config(mandatory = true, description = "The trainer.")
    private Trainer<Label> trainer;

    @Config(description = "The name the model is published under; also the prefix of its provenance entries.")
    private String modelName = "source";

    @Config(description = "The dataset to train on.")
    private String trainDataset = Pipeline.TRAIN;

    @Config(description = "The dataset to evaluate on.")
    private String testDataset = Pipeline.TEST;

    @Config(description = "The report section's title.")
    private String title = "Source network";

    /** For OLCUT. */
    private SourceTrainingStep() {}

    /**
     * Creates the step with the default dataset names.
     * @param trainer The trainer.
     * @param modelName The published model name.
     * @param title The section title.
     */
    public SourceTrainingStep(Trainer<Label> trainer, String modelName, String title) {
        this.trainer = trainer;
        this.modelName = modelName;
        this.title = title;
    }

    @Override
    public String title() {
        return title;
    }

    @Override
    public void run(PipelineContext context) {
        Dataset<Label> train = context.dataset(trainDataset);
        Dataset<Label> test = context.dataset(testDataset);
        if (trainer instanceof NetworkTrainer) {
            ((NetworkTrainer) trainer).setListener(context.progress().task("train " + modelName));
        }
        long start = System.nanoTime();
        Model<Label> model = trainer.train(train);
        double trainSeconds = (System.nanoTime() - start) / 1e9;
        LabelEvaluation evaluation = new LabelEvaluator().evaluate(model, test);
        context.putModel(modelName, model);
        context.addProvenance(modelName + "-model", model.getProvenance());
        context.addProvenance(modelName + "-evaluation", evaluation.getProvenance());

        ReportSection.Builder section = ReportSection.builder(title)
                .addText("Trainer: " + trainer + ". Trained on '" + trainDataset + "' (" + train.size()
                        + " examples), evaluated on '" + testDataset + "' (" + test.size() + " examples).");
        Map<String, Double> metrics = EvaluationMetrics.of(evaluation);
        ReportTable.Builder table = ReportTable.builder("Test metrics", "metric", "value");
        metrics.forEach(table::addRow);
        table.addRow("training seconds", trainSeconds);
        section.addTable(table.build());
        section.putResult(modelName + "-evaluation", metrics)
                .putResult("accuracy", evaluation.accuracy())
                .putResult("trainSeconds", trainSeconds);
        NetworkModel.asNetworkModel(model).ifPresent(network -> {
            section.putResult("weightsSha256", network.getProvenance().getInstanceProvenance()
                    .getMap().get(NetworkProvenance.WEIGHTS_SHA256).toString());
            network.history().ifPresent(history -> addCurves(section, history));
        });
        context.addSection(section.build());
    }

    private static void addCurves(ReportSection.Builder section, TrainingHistory history) {
        List<EpochSummary> epochs = history.epochs();
        double[] x = new double[epochs.size()];
        double[] train = new double[epochs.size()];
        double[] validation = new double[epochs.size()];
        boolean hasValidation = false;
        for (int i = 0; i < x.length; i++) {
            x[i] = epochs.get(i).epoch();
            train[i] = epochs.get(i).trainLoss();
            validation[i] = epochs.get(i).validationLoss();
            hasValidation |= !Double.isNaN(validation[i]);
        }
        LineChart.Builder losses = LineChart.builder("Training curve", "epoch", "cross-entropy").addSeries("train", x, train);
        if (hasValidation) {
            losses.addSeries("validation", x, validation);
        }
        section.addChart(losses.build());
        double[] rates = history.stepLearningRates();
        if (Arrays.stream(rates).distinct().count() > 1) {
            section.addChart(LineChart.builder("Learning rate per step", "step", "learning rate")
                    .addSeries("learning rate", rates).build());
        }
        section.putResult("epochs", epochs.size()).putResult("bestEpoch", history.bestEpoch())
                .putResult("trainLoss", train).putResult("steps", history.steps());
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "PipelineStep");
    }
}
