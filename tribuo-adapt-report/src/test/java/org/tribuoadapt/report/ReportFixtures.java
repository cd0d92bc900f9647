package org.tribuoadapt.report;

import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.baseline.DummyClassifierTrainer;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny trained Tribuo model and a report exercising every feature.
 */
final class ReportFixtures {

    static final OffsetDateTime CREATED = OffsetDateTime.of(2024, 5, 1, 12, 30, 15, 123_000_000, ZoneOffset.ofHours(2));

    final Model<Label> model;
    final LabelEvaluation evaluation;

    ReportFixtures() {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> data = new MutableDataset<>(
                new SimpleDataSourceProvenance("hand-made examples", CREATED, factory), factory);
        String[] names = {"f1", "f2"};
        data.add(new ArrayExample<>(new Label("yes"), names, new double[]{1.0, 0.5}));
        data.add(new ArrayExample<>(new Label("yes"), names, new double[]{0.8, 0.1}));
        data.add(new ArrayExample<>(new Label("no"), names, new double[]{-1.0, 0.3}));
        data.add(new ArrayExample<>(new Label("yes"), names, new double[]{0.9, -0.2}));
        model = DummyClassifierTrainer.createMostFrequentTrainer().train(data);
        evaluation = new LabelEvaluator().evaluate(model, data);
    }

    static Map<String, Object> trainingResults() {
        Map<String, Object> perClass = new LinkedHashMap<>();
        perClass.put("yes", Map.of("f1", 0.8571428571428571));
        perClass.put("no", Map.of("f1", 0.0));
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("accuracy", 0.75);
        results.put("examples", 4);
        results.put("converged", true);
        results.put("model", "most-frequent <dummy>");
        results.put("perClass", perClass);
        results.put("losses", List.of(0.9, 0.5, 0.31234567890123456));
        results.put("missing", null);
        return results;
    }

    Report report() {
        ReportSection training = ReportSection.builder("Training")
                .addText("A most-frequent baseline trained on four hand-made examples.")
                .addText("Markup must be escaped: <script>alert('x')</script> & friends.")
                .addTable(ReportTable.builder("Metrics <b>&", "Metric", "Value")
                        .addRow("accuracy", 0.75)
                        .addRow("<b>&", 1234.56789)
                        .addRow("examples", 4)
                        .build())
                .addChart(LineChart.builder("Loss & accuracy", "epoch", "value")
                        .addSeries("train <loss>", new double[]{1, 2, 3, 4}, new double[]{0.9, 0.5, Double.NaN, 0.25})
                        .addSeries("validation", new double[]{0.9, 0.6, 0.45, 0.4})
                        .build())
                .putResults(trainingResults())
                .build();
        ReportSection robustness = ReportSection.builder("Robustness")
                .addText("Accuracy under perturbations.")
                .addChart(BarChart.builder("Accuracy by perturbation", "perturbation", "accuracy",
                                "clean", "noise", "shift")
                        .addSeries("baseline", 0.75, 0.5, 0.25)
                        .addSeries("adapted", 0.8, 0.7, 0.6)
                        .build())
                .addChart(LineChart.builder("Learning rate sweep", "learning rate", "loss")
                        .addSeries("loss", new double[]{1e-4, 1e-3, 1e-2, 1e-1}, new double[]{2.0, 0.5, 0.1, 0.0})
                        .logX(true).logY(true)
                        .build())
                .putResult("worstCase", Map.of("perturbation", "shift", "accuracy", 0.25))
                .build();
        return Report.builder("Tiny <pipeline> & report")
                .created(CREATED)
                .addEnvironment("java.version", System.getProperty("java.version"))
                .addEnvironment("tribuo.version", org.tribuo.Tribuo.VERSION)
                .addSection(training)
                .addSection(robustness)
                .addProvenance("source-model", model.getProvenance())
                .addProvenance("source-evaluation", evaluation.getProvenance())
                .build();
    }
}
