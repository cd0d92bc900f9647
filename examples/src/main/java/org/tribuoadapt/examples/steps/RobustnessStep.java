package org.tribuoadapt.examples.steps;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuo.Dataset;
import org.tribuo.classification.Label;
import org.tribuo.dataset.DatasetView;
import org.tribuo.provenance.ModelProvenance;
import org.tribuoadapt.core.io.AtomicFiles;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.pipeline.Pipeline;
import org.tribuoadapt.pipeline.PipelineContext;
import org.tribuoadapt.pipeline.PipelineStep;
import org.tribuoadapt.report.ReportSection;
import org.tribuoadapt.report.ReportTable;
import org.tribuoadapt.robust.evaluation.AlphaCurve;
import org.tribuoadapt.robust.evaluation.AttackOutcome;
import org.tribuoadapt.robust.evaluation.RobustnessEvaluation;
import org.tribuoadapt.robust.evaluation.RobustnessEvaluator;
import org.tribuoadapt.robust.smoothing.AdaptiveSmoothingModel;
import org.tribuoadapt.robust.smoothing.MixingNetworkModel;
import org.tribuoadapt.robust.smoothing.MixingNetworkTrainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.report.LineChart;
import org.tribuoadapt.robust.adversarial.AdversarialObjective;

/**
 * The main job's robustness step (Bai et al. 2024): trains a robust network by adversarial training, mixes it with
 * the published standard model by adaptive smoothing, over a grid of fixed alphas and, optionally, with a trained
 * mixing network, and reports clean and attacked accuracy of the standard, robust and mixed models, with the
 * accuracy-robustness curve over alpha. Every attack targets the whole model it evaluates. The robust model is
 * published as {@code robustModelName}, the mixing-network model (if trained) as {@code mixedModelName}.
 * <p>
 * So that {@code reproduce} can rebuild every result, the step saves the standard and the robust base model as
 * Tribuo model files in the {@value #MODELS_FOLDER} folder of the run's output folder and builds every mixture
 * through a trainer configured with those paths (the mixtures' provenance records the paths and the files'
 * SHA-256). Each evaluation's provenance is recorded as {@code robustness-alpha-<alpha>} or
 * {@code <mixedModelName>-evaluation}, with its {@link RobustnessEvaluation#reproducibleMetrics()} as the section
 * result of the same name; each fixed-alpha mixture's provenance as {@code <mixedModelName>-alpha-<alpha>-model}.
 * <p>
 * To fit the main job's time budget the step can train on the first {@code trainExamples} examples and the
 * evaluator on the first test examples with a short attack; the report says which sizes were used.
 */
public final class RobustnessStep implements PipelineStep {

    /** The folder, inside the run's output folder, that receives the base models. */
    public static final String MODELS_FOLDER = "models";

    private static final String MODEL_SUFFIX = ".tribuo";

    @Config(description = "The published standard NetworkModel to make robust.")
    private String sourceModel = "source";

    @Config(description = "The dataset to train on.")
    private String trainDataset = Pipeline.TRAIN;

    @Config(description = "The dataset to evaluate on.")
    private String testDataset = Pipeline.TEST;

    @Config(mandatory = true, description = "The adversarial trainer of the robust model.")
    private NetworkTrainer adversarialTrainer;

    @Config(description = "Train the robust model on the first trainExamples examples; 0 uses all.")
    private int trainExamples = 0;

    @Config(mandatory = true, description = "The robustness evaluator (attacks, budgets, test subset).")
    private RobustnessEvaluator evaluator;

    @Config(description = "The fixed alphas of the accuracy-robustness curve; 0 and 1 are the base models themselves.")
    private double[] alphas = {0.0, 0.25, 0.5, 0.75, 1.0};

    @Config(description = "The standard model's logit scale in the mixtures.")
    private double standardTemperature = 1.0;

    @Config(description = "The robust model's logit scale in the mixtures.")
    private double robustTemperature = 1.0;

    @Config(description = "The trainer of the mixing network; its base models are the source and the robust model. Optional.")
    private MixingNetworkTrainer mixingTrainer;

    @Config(description = "Train the mixing network on the first mixingExamples examples; 0 uses all.")
    private int mixingExamples = 0;

    @Config(description = "The name the robust model is published under.")
    private String robustModelName = "robust";

    @Config(description = "The name the mixing-network model is published under.")
    private String mixedModelName = "adaptive-smoothing";

    @Config(description = "The report section's title.")
    private String title = "Robustness: adversarial training and adaptive smoothing";

    /** For OLCUT. */
    private RobustnessStep() {}

    /**
     * Creates the step with the default names and alphas.
     * @param adversarialTrainer The robust model's trainer.
     * @param trainExamples Training examples used (0 for all).
     * @param evaluator The evaluator.
     * @param mixingTrainer The mixing network's trainer, or null to skip it.
     * @param mixingExamples Training examples of the mixing network (0 for all).
     */
    public RobustnessStep(NetworkTrainer adversarialTrainer, int trainExamples, RobustnessEvaluator evaluator,
                          MixingNetworkTrainer mixingTrainer, int mixingExamples) {
        this.adversarialTrainer = adversarialTrainer;
        this.trainExamples = trainExamples;
        this.evaluator = evaluator;
        this.mixingTrainer = mixingTrainer;
        this.mixingExamples = mixingExamples;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (!(adversarialTrainer.objective() instanceof AdversarialObjective)) {
            throw new PropertyException("", "adversarialTrainer", "adversarialTrainer must train with an "
                    + "AdversarialObjective (PGD-AT or TRADES), found " + adversarialTrainer.objective());
        }
        if (trainExamples < 0 || mixingExamples < 0) {
            throw new PropertyException("", "trainExamples", "trainExamples and mixingExamples must be >= 0 (0 for all), found "
                    + trainExamples + " and " + mixingExamples);
        }
        if (alphas.length == 0) {
            throw new PropertyException("", "alphas", "alphas needs at least one value");
        }
        for (double a : alphas) {
            if (!(a >= 0 && a <= 1)) {
                throw new PropertyException("", "alphas", "every alpha must be in [0, 1], found " + a);
            }
        }
        if (Arrays.stream(alphas).distinct().count() != alphas.length) {
            throw new PropertyException("", "alphas", "every alpha names its own report entries, so alphas must be "
                    + "distinct, found " + Arrays.toString(alphas));
        }
        if (!(standardTemperature > 0) || !(robustTemperature > 0)
                || Double.isInfinite(standardTemperature) || Double.isInfinite(robustTemperature)) {
            throw new PropertyException("", "standardTemperature", "temperatures must be positive and finite, found "
                    + standardTemperature + " and " + robustTemperature);
        }
    }

    @Override
    public String title() {
        return title;
    }

    @Override
    public void run(PipelineContext context) throws IOException {
        NetworkModel standard = context.model(sourceModel, NetworkModel.class);
        Dataset<Label> train = context.dataset(trainDataset);
        Dataset<Label> test = context.dataset(testDataset);
        Dataset<Label> robustData = firstExamples(train, trainExamples);

        adversarialTrainer.setListener(context.progress().task("adversarial training"));
        long start = System.nanoTime();
        NetworkModel robust = adversarialTrainer.train(robustData);
        double robustSeconds = (System.nanoTime() - start) / 1e9;
        context.putModel(robustModelName, robust);
        context.addProvenance(robustModelName + "-model", robust.getProvenance());

        Path folder = context.outputDirectory().resolve(MODELS_FOLDER).toAbsolutePath().normalize();
        Path standardPath = save(standard, folder.resolve(sourceModel + MODEL_SUFFIX));
        Path robustPath = save(robust, folder.resolve(robustModelName + MODEL_SUFFIX));

        start = System.nanoTime();
        AlphaCurve curve = evaluator.alphaCurve(standardPath, robustPath, alphas, standardTemperature, robustTemperature,
                test);
        double curveSeconds = (System.nanoTime() - start) / 1e9;
        Map<String, RobustnessEvaluation> recorded = new LinkedHashMap<>();
        for (int i = 0; i < alphas.length; i++) {
            RobustnessEvaluation evaluation = curve.evaluations().get(i);
            ModelProvenance evaluated = evaluation.getProvenance().getModelProvenance();
            if (evaluated.getClassName().equals(AdaptiveSmoothingModel.class.getName())) {
                context.addProvenance(mixedModelName + "-alpha-" + alphas[i] + "-model", evaluated);
            }
            recorded.put("robustness-alpha-" + alphas[i], evaluation);
        }

        ReportSection.Builder section = ReportSection.builder(title);
        Map<String, RobustnessEvaluation> rows = new LinkedHashMap<>();
        for (int i = 0; i < alphas.length; i++) {
            rows.put(alphas[i] == 0 ? "standard (source)" : alphas[i] == 1 ? "robust (" + robustData.size()
                    + " examples)" : "fixed alpha " + alphas[i], curve.evaluations().get(i));
        }
        double mixingSeconds = 0;
        if (mixingTrainer != null) {
            Dataset<Label> mixingData = firstExamples(train, mixingExamples);
            MixingNetworkTrainer trainer = mixingTrainer.forBaseFiles(standardPath, robustPath);
            trainer.setListener(context.progress().task("mixing network"));
            start = System.nanoTime();
            MixingNetworkModel mixed = trainer.train(mixingData);
            RobustnessEvaluation evaluation = evaluator.evaluate(mixed, test);
            mixingSeconds = (System.nanoTime() - start) / 1e9;
            rows.put("mixing network (" + mixingData.size() + " examples)", evaluation);
            context.putModel(mixedModelName, mixed);
            context.addProvenance(mixedModelName + "-model", mixed.getProvenance());
            recorded.put(mixedModelName + "-evaluation", evaluation);
        }
        recorded.forEach((name, evaluation) -> context.addProvenance(name, evaluation.getProvenance()));

        RobustnessEvaluation first = curve.evaluations().get(0);
        section.addText("Adversarial trainer: " + adversarialTrainer + ", trained on the first " + robustData.size() + " of "
                + train.size() + " '" + trainDataset + "' examples in " + String.format("%.1f", robustSeconds) + " s.");
        section.addText("Evaluation: " + evaluator + " on the first " + first.outcomes().get(0).examples() + " of "
                + test.size() + " '" + testDataset + "' examples. Every attack targets the whole evaluated model,"
                + " mixtures included."
                + " The main job uses a short attack on a test subset to fit its time budget; 'bench robust' runs the"
                + " full protocol (PGD-20 on the whole Fashion-MNIST test set).");
        section.addText("The base models are saved as " + standardPath + " and " + robustPath + "; every mixture reads"
                + " them from there, so 'reproduce' can rebuild it from its provenance (which records both files' SHA-256).");
        section.addTable(table(rows));
        section.addChart(alphaCurveChart(curve, "Accuracy-robustness trade-off over alpha"));
        section.addTable(alphaCurveTable(curve, "Fixed-alpha adaptive smoothing"));
        Map<String, Object> results = new LinkedHashMap<>();
        for (Map.Entry<String, RobustnessEvaluation> e : rows.entrySet()) {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("clean", e.getValue().cleanAccuracy());
            for (AttackOutcome o : e.getValue().outcomes()) {
                figures.put(o.key(), o.accuracy());
            }
            results.put(e.getKey(), figures);
        }
        section.putResult("accuracy", results)
                .putResult("alphas", alphas)
                .putResult("robustTrainSeconds", robustSeconds)
                .putResult("curveSeconds", curveSeconds)
                .putResult("mixingSeconds", mixingSeconds);
        recorded.forEach((name, evaluation) -> section.putResult(name, evaluation.reproducibleMetrics()));
        context.addSection(section.build());
    }

    private static ReportTable table(Map<String, RobustnessEvaluation> rows) {
        List<String> columns = new ArrayList<>(List.of("model", "clean accuracy"));
        for (AttackOutcome o : rows.values().iterator().next().outcomes()) {
            columns.add("accuracy under " + o.key());
        }
        ReportTable.Builder table = ReportTable.builder("Clean and attacked accuracy", columns.toArray(new String[0]));
        for (Map.Entry<String, RobustnessEvaluation> e : rows.entrySet()) {
            List<Object> row = new ArrayList<>();
            row.add(e.getKey());
            row.add(e.getValue().cleanAccuracy());
            for (AttackOutcome o : e.getValue().outcomes()) {
                row.add(o.accuracy());
            }
            table.addRow(row);
        }
        return table.build();
    }

    private static Path save(NetworkModel model, Path path) throws IOException {
        Files.createDirectories(path.getParent());
        AtomicFiles.write(path, model.serialize().toByteArray());
        return path;
    }

    private static Dataset<Label> firstExamples(Dataset<Label> data, int count) {
        if (count == 0 || count >= data.size()) {
            return data;
        }
        return new DatasetView<>(data, Evaluation.range(0, count), "first-" + count);
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "PipelineStep");
    }

    /**
     * A line chart of clean and robust accuracy against alpha.
     * @param curve The curve.
     * @param title The chart title.
     * @return The chart.
     */
    static LineChart alphaCurveChart(AlphaCurve curve, String title) {
        LineChart.Builder chart = LineChart.builder(title, "alpha (weight of the robust model)", "accuracy")
                .addSeries("clean", curve.alphas(), curve.cleanAccuracy());
        List<AttackOutcome> first = curve.evaluations().get(0).outcomes();
        for (int i = 0; i < first.size(); i++) {
            chart.addSeries(first.get(i).key(), curve.alphas(), curve.robustAccuracy(i));
        }
        return chart.build();
    }

    /**
     * A report table with one row per alpha.
     * @param curve The curve.
     * @param caption The caption.
     * @return The table.
     */
    static ReportTable alphaCurveTable(AlphaCurve curve, String caption) {
        List<String> columns = new ArrayList<>(List.of("alpha", "clean accuracy"));
        for (AttackOutcome o : curve.evaluations().get(0).outcomes()) {
            columns.add("accuracy under " + o.key());
        }
        ReportTable.Builder table = ReportTable.builder(caption, columns.toArray(new String[0]));
        double[] alphas = curve.alphas();
        for (int a = 0; a < alphas.length; a++) {
            List<Object> row = new ArrayList<>();
            row.add(alphas[a]);
            row.add(curve.evaluations().get(a).cleanAccuracy());
            for (AttackOutcome o : curve.evaluations().get(a).outcomes()) {
                row.add(o.accuracy());
            }
            table.addRow(row);
        }
        return table.build();
    }
}
