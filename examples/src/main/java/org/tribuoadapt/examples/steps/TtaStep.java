package org.tribuoadapt.examples.steps;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuo.Dataset;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuoadapt.pipeline.Pipeline;
import org.tribuoadapt.pipeline.PipelineContext;
import org.tribuoadapt.pipeline.PipelineStep;
import org.tribuoadapt.tta.evaluation.TtaEvaluation;
import org.tribuoadapt.tta.evaluation.TtaEvaluator;
import org.tribuoadapt.tta.evaluation.TtaResults;
import org.tribuoadapt.tta.method.TestTimeMethod;
import org.tribuoadapt.tta.scenario.ShiftScenario;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The main job's test-time adaptation step: replays each configured shift scenario (for example reset-per-shift
 * and continual corruption streams) of the test set through the configured methods, starting from a model
 * published by an earlier step (by default {@code source}), and adds one report section per scenario with the
 * online accuracy per domain and severity, latency against Source, memory, and the accuracy-against-severity
 * chart. Every evaluation's provenance (model, scenario with its seed, method settings) goes into the report.
 */
public final class TtaStep implements PipelineStep {

    @Config(mandatory = true, description = "The shift scenarios, each replayed through every method.")
    private List<ShiftScenario> scenarios = new ArrayList<>();

    @Config(mandatory = true, description = "The adaptation methods; Source is always run as the baseline.")
    private List<TestTimeMethod> methods = new ArrayList<>();

    @Config(description = "The model to adapt, as published by an earlier step.")
    private String modelName = "source";

    @Config(description = "The clean test dataset that corruption scenarios shift.")
    private String testDataset = Pipeline.TEST;

    @Config(description = "The dataset that provides unlabelled source samples (EATA's Fisher estimate); empty for none.")
    private String sourceDataset = Pipeline.TRAIN;

    @Config(description = "Source samples offered to the methods.")
    private int sourceSamples = TtaEvaluator.DEFAULT_SOURCE_SAMPLES;

    @Config(description = "Untimed Source batches before the timed replays.")
    private int warmupBatches = TtaEvaluator.DEFAULT_WARMUP_BATCHES;

    @Config(description = "A paragraph put at the top of each section, e.g. why this subset of the protocol was chosen.")
    private String note = "";

    @Config(description = "The report section's title; the scenario's mode is appended.")
    private String title = "Test-time adaptation";

    /** For OLCUT. */
    private TtaStep() {}

    /**
     * Creates the step with the default dataset and model names.
     * @param scenarios The scenarios.
     * @param methods The methods.
     * @param note A paragraph for the report, or empty.
     */
    public TtaStep(List<? extends ShiftScenario> scenarios, List<? extends TestTimeMethod> methods, String note) {
        this.scenarios = new ArrayList<>(scenarios);
        this.methods = new ArrayList<>(methods);
        this.note = note;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (scenarios.isEmpty()) {
            throw new PropertyException("", "scenarios", "the TTA step needs at least one scenario");
        }
        if (methods.isEmpty()) {
            throw new PropertyException("", "methods", "the TTA step needs at least one method");
        }
        if (sourceSamples < 0 || warmupBatches < 0) {
            throw new PropertyException("", "sourceSamples", "sourceSamples and warmupBatches must be >= 0, found "
                    + sourceSamples + " and " + warmupBatches);
        }
    }

    @Override
    public String title() {
        return title;
    }

    @Override
    @SuppressWarnings("unchecked") // every model in a pipeline context predicts Labels
    public void run(PipelineContext context) {
        Model<Label> model = context.model(modelName, Model.class);
        Dataset<Label> test = context.dataset(testDataset);
        Dataset<Label> source = sourceDataset.isEmpty() ? null : context.dataset(sourceDataset);
        for (int i = 0; i < scenarios.size(); i++) {
            ShiftScenario scenario = scenarios.get(i);
            long sameMode = scenarios.stream().filter(s -> s.mode() == scenario.mode()).count();
            String label = scenario.mode().name().toLowerCase() + (sameMode > 1 ? " " + (i + 1) : "");
            TtaResults results = new TtaEvaluator(scenario, warmupBatches, sourceSamples)
                    .withListener(context.progress().task("tta " + label))
                    .evaluate(model, test, source, methods);
            Map<String, String> provenanceNames = new LinkedHashMap<>();
            for (TtaEvaluation e : results.evaluations()) {
                String name = "tta-" + (i + 1) + "-" + scenario.mode().name().toLowerCase() + "-" + e.method();
                context.addProvenance(name, e.getProvenance());
                provenanceNames.put(e.method(), name);
            }
            String intro = "Model '" + modelName + "', test data '" + testDataset + "' (" + test.size() + " examples)"
                    + (source == null ? "" : ", source samples from '" + sourceDataset + "'") + ".";
            context.addSection(note.isEmpty() ? TtaReport.section(title + " (" + label + ")", results, provenanceNames, intro)
                    : TtaReport.section(title + " (" + label + ")", results, provenanceNames, note, intro));
        }
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "PipelineStep");
    }

    @Override
    public String toString() {
        return "TtaStep(scenarios=" + scenarios + ",methods=" + methods + ",modelName=" + modelName + ")";
    }
}
