package org.tribuoadapt.examples.steps;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuo.ConfigurableDataSource;
import org.tribuo.Dataset;
import org.tribuo.Model;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuoadapt.core.data.CheckedDatasets;
import org.tribuoadapt.core.io.AtomicFiles;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.examples.bench.peft.PeakMemory;
import org.tribuoadapt.peft.PeftModel;
import org.tribuoadapt.peft.PeftTrainer;
import org.tribuoadapt.peft.TrainableSummary;
import org.tribuoadapt.pipeline.EvaluationMetrics;
import org.tribuoadapt.pipeline.PipelineContext;
import org.tribuoadapt.pipeline.PipelineStep;
import org.tribuoadapt.report.BarChart;
import org.tribuoadapt.report.ReportSection;
import org.tribuoadapt.report.ReportTable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The main job's adapter step: pre-trains a source network on some classes (Fashion-MNIST 0-4 in the example
 * configuration), then adapts it with an adapter and a new head (a module to save) to other classes (5-9) in two
 * settings, few-shot and with all examples. It reports, per run, the method, the trainable parameters and their share,
 * the test accuracy, the training time and the peak resident memory of the process during training (measured as
 * {@link PeakMemory} describes), and publishes the models as {@code <modelName>-source}, {@code <modelName>-few-shot}
 * and {@code <modelName>-full}.
 */
public final class PeftAdaptationStep implements PipelineStep {

    @Config(mandatory = true, description = "Training data of the source task (e.g. classes 0-4).")
    private ConfigurableDataSource<Label> sourceTrainData;

    @Config(mandatory = true, description = "Test data of the source task.")
    private ConfigurableDataSource<Label> sourceTestData;

    @Config(mandatory = true, description = "Few-shot training data of the target task (e.g. 100 per class of 5-9).")
    private ConfigurableDataSource<Label> fewShotTrainData;

    @Config(mandatory = true, description = "All training data of the target task.")
    private ConfigurableDataSource<Label> fullTrainData;

    @Config(mandatory = true, description = "Test data of the target task.")
    private ConfigurableDataSource<Label> targetTestData;

    @Config(mandatory = true, description = "Trains the source network (a NetworkTrainer).")
    private Trainer<Label> sourceTrainer;

    @Config(mandatory = true, description = "Trains the adapter on the frozen source network with all target examples.")
    private PeftTrainer trainer;

    @Config(description = "Trains the adapter in the few-shot setting (usually more epochs); defaults to trainer.")
    private PeftTrainer fewShotTrainer;

    @Config(description = "Prefix of the published model names and provenance entries.")
    private String modelName = "peft";

    @Config(description = "The report section's title.")
    private String title = "Adapter fine-tuning";

    /** For OLCUT. */
    private PeftAdaptationStep() {}

    /**
     * Creates the step.
     * @param sourceTrainData Source training data.
     * @param sourceTestData Source test data.
     * @param fewShotTrainData Few-shot target training data.
     * @param fullTrainData All target training data.
     * @param targetTestData Target test data.
     * @param sourceTrainer The source network's trainer.
     * @param trainer The adapter trainer (all examples).
     * @param fewShotTrainer The adapter trainer of the few-shot setting, or null to use {@code trainer}.
     */
    public PeftAdaptationStep(ConfigurableDataSource<Label> sourceTrainData, ConfigurableDataSource<Label> sourceTestData,
                              ConfigurableDataSource<Label> fewShotTrainData, ConfigurableDataSource<Label> fullTrainData,
                              ConfigurableDataSource<Label> targetTestData, Trainer<Label> sourceTrainer, PeftTrainer trainer,
                              PeftTrainer fewShotTrainer) {
        this.sourceTrainData = sourceTrainData;
        this.sourceTestData = sourceTestData;
        this.fewShotTrainData = fewShotTrainData;
        this.fullTrainData = fullTrainData;
        this.targetTestData = targetTestData;
        this.sourceTrainer = sourceTrainer;
        this.trainer = trainer;
        this.fewShotTrainer = fewShotTrainer;
    }

    @Override
    public String title() {
        return title;
    }

    /** One training run's figures. */
    private record Run(String setting, String method, int examples, TrainableSummary summary, String name,
                       Map<String, Double> metrics, double seconds, long peakBytes) {
        double accuracy() {
            return metrics.get(EvaluationMetrics.ACCURACY);
        }
    }

    @Override
    public void run(PipelineContext context) throws IOException {
        Dataset<Label> sourceTrain = CheckedDatasets.load(sourceTrainData);
        Dataset<Label> sourceTest = CheckedDatasets.load(sourceTestData);
        Dataset<Label> targetTest = CheckedDatasets.load(targetTestData);
        if (sourceTrainer instanceof NetworkTrainer) {
            ((NetworkTrainer) sourceTrainer).setListener(context.progress().task("train " + modelName + "-source"));
        }
        List<Run> runs = new ArrayList<>();
        PeakMemory.Method method;
        Model<Label> sourceModel;
        try (PeakMemory memory = PeakMemory.start()) {
            long start = System.nanoTime();
            sourceModel = sourceTrainer.train(sourceTrain);
            double seconds = (System.nanoTime() - start) / 1e9;
            method = memory.method();
            long weights;
            try (Network network = NetworkModel.require(sourceModel, "the source trainer's model").newNetwork()) {
                weights = network.countWeights(false);
            }
            runs.add(new Run("source (" + sourceTrain.getOutputInfo().size() + " classes)", "full training", sourceTrain.size(),
                    new TrainableSummary(weights, weights), modelName + "-source",
                    evaluate(context, modelName + "-source", sourceModel, sourceTest), seconds, memory.peakBytes()));
        }
        // the adapters start from the saved source model, so that their provenance names the file and its hash and
        // `reproduce` can retrain them from the report alone
        Path baseFile = context.outputDirectory().resolve("models").resolve(modelName + "-source.tribuo").toAbsolutePath();
        Files.createDirectories(baseFile.getParent());
        AtomicFiles.write(baseFile, sourceModel.serialize().toByteArray());
        for (String setting : List.of("few-shot", "full")) {
            boolean full = setting.equals("full");
            Dataset<Label> train = CheckedDatasets.load(full ? fullTrainData : fewShotTrainData);
            PeftTrainer adapterTrainer = full || fewShotTrainer == null ? trainer : fewShotTrainer;
            adapterTrainer.setListener(context.progress().task("train " + modelName + "-" + setting));
            try (PeakMemory memory = PeakMemory.start()) {
                long start = System.nanoTime();
                PeftModel model = adapterTrainer.withBaseModel(baseFile).train(train);
                double seconds = (System.nanoTime() - start) / 1e9;
                long peak = memory.peakBytes();
                String name = modelName + "-" + setting;
                runs.add(new Run(setting, model.adapterSpec(model.activeAdapters().get(0)).peftType() + " + new head",
                        train.size(), model.trainableSummary(), name, evaluate(context, name, model, targetTest), seconds, peak));
            }
        }
        context.addSection(section(runs, method));
    }

    private static Map<String, Double> evaluate(PipelineContext context, String name, Model<Label> model, Dataset<Label> test) {
        LabelEvaluation evaluation = new LabelEvaluator().evaluate(model, test);
        context.putModel(name, model);
        context.addProvenance(name + "-model", model.getProvenance());
        context.addProvenance(name + "-evaluation", evaluation.getProvenance());
        return EvaluationMetrics.of(evaluation);
    }

    private ReportSection section(List<Run> runs, PeakMemory.Method method) {
        ReportTable.Builder table = ReportTable.builder("Runs", "setting", "method", "training examples", "trainable params",
                "trainable %", "test accuracy", "training seconds", "peak RSS (MiB)");
        List<String> settings = new ArrayList<>();
        double[] accuracies = new double[runs.size()];
        ReportSection.Builder section = ReportSection.builder(title);
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            table.addRow(r.setting(), r.method(), r.examples(), r.summary().trainable(), r.summary().percent(), r.accuracy(),
                    r.seconds(), r.peakBytes() < 0 ? "n/a" : Math.round(r.peakBytes() / 1048576.0));
            settings.add(r.setting());
            accuracies[i] = r.accuracy();
            String key = i == 0 ? "source" : r.setting().replace("-", "");
            section.putResult(r.name() + "-evaluation", r.metrics())
                    .putResult(key + "Accuracy", r.accuracy())
                    .putResult(key + "TrainSeconds", r.seconds())
                    .putResult(key + "PeakRssBytes", r.peakBytes())
                    .putResult(key + "TrainablePercent", r.summary().percent());
        }
        return section
                .addText("Trainer: " + trainer + (fewShotTrainer == null ? "" : "; few-shot trainer: " + fewShotTrainer) + ". The source network is trained on the source classes; the adapter and a "
                        + "new head are then trained on the target classes while the source network stays frozen.")
                .addText("Peak memory is the peak resident set size of the whole process (Java heap, native tensors and "
                        + "libraries) during each training run, " + (method == PeakMemory.Method.KERNEL_HIGH_WATER_MARK
                        ? "read from the kernel's high-water mark (VmHWM), which is reset before each run through "
                        + "/proc/self/clear_refs." : method == PeakMemory.Method.SAMPLED_RESIDENT_SIZE
                        ? "the largest of VmRSS samples taken every millisecond." : "unavailable on this system."))
                .addText("Adapter runs: " + runs.get(1).summary() + ".")
                .addTable(table.build())
                .addChart(BarChart.builder("Test accuracy", "run", "accuracy", settings).addSeries("accuracy", accuracies).build())
                .build();
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "PipelineStep");
    }
}
