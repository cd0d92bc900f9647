package org.tribuoadapt.pipeline;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuo.ConfigurableDataSource;
import org.tribuo.Dataset;
import org.tribuo.Tribuo;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.data.CheckedDatasets;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.Kernels;
import org.tribuoadapt.report.Report;
import org.tribuoadapt.report.ReportFiles;
import org.tribuoadapt.report.ReportSection;
import org.tribuoadapt.report.ReportTable;
import org.tribuoadapt.report.ReportWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The main job: loads the training and test data, runs the configured steps in order, and writes
 * {@code report.json} and {@code report.html} with every step's results and provenance. The pipeline's own
 * configuration is recorded in the report as the provenance entry {@value #PROVENANCE_NAME}.
 */
public final class Pipeline implements Configurable, Provenancable<ConfiguredObjectProvenance> {

    /** The report's provenance entry for the pipeline configuration. */
    public static final String PROVENANCE_NAME = "pipeline";
    /** The dataset name of the training data. */
    public static final String TRAIN = "train";
    /** The dataset name of the test data. */
    public static final String TEST = "test";

    @Config(description = "The report's title.")
    private String title = "Tribuo Adapt run";

    @Config(mandatory = true, description = "The training data, published as dataset 'train'.")
    private ConfigurableDataSource<Label> trainSource;

    @Config(mandatory = true, description = "The test data, published as dataset 'test'.")
    private ConfigurableDataSource<Label> testSource;

    @Config(mandatory = true, description = "The steps, run in order.")
    private List<PipelineStep> steps = new ArrayList<>();

    /** For OLCUT. */
    private Pipeline() {}

    /**
     * Creates a pipeline.
     * @param title The report title.
     * @param trainSource The training data.
     * @param testSource The test data.
     * @param steps The steps.
     */
    public Pipeline(String title, ConfigurableDataSource<Label> trainSource, ConfigurableDataSource<Label> testSource,
                    List<PipelineStep> steps) {
        this.title = title;
        this.trainSource = trainSource;
        this.testSource = testSource;
        this.steps = new ArrayList<>(steps);
        postConfig();
    }

    @Override
    public void postConfig() {
        if (steps.isEmpty()) {
            throw new PropertyException("", "steps", "a pipeline needs at least one step");
        }
    }

    /**
     * The configured steps.
     * @return The steps, in order.
     */
    public List<PipelineStep> steps() {
        return List.copyOf(steps);
    }

    /**
     * Runs every step and writes the report.
     * @param outputDirectory Where the report (and any other files) go.
     * @param progress Where progress goes.
     * @return The report files.
     * @throws IOException if data cannot be read or the report cannot be written.
     */
    public ReportFiles run(Path outputDirectory, ProgressSink progress) throws IOException {
        Report.Builder report = Report.builder(title).addEnvironment(environment());
        PipelineContext context = new PipelineContext(report, outputDirectory, progress);
        Dataset<Label> train = CheckedDatasets.load(trainSource);
        Dataset<Label> test = CheckedDatasets.load(testSource);
        context.putDataset(TRAIN, train);
        context.putDataset(TEST, test);
        report.addProvenance(PROVENANCE_NAME, getProvenance());
        report.addSection(dataSection(train, test));
        for (PipelineStep step : steps) {
            step.run(context);
        }
        return ReportWriter.write(report.build(), outputDirectory);
    }

    private static ReportSection dataSection(Dataset<Label> train, Dataset<Label> test) {
        ReportTable.Builder table = ReportTable.builder("Datasets", "dataset", "examples", "features", "labels", "source");
        table.addRow(TRAIN, train.size(), train.getFeatureMap().size(), train.getOutputInfo().size(), describe(train));
        table.addRow(TEST, test.size(), test.getFeatureMap().size(), test.getOutputInfo().size(), describe(test));
        return ReportSection.builder("Data")
                .addTable(table.build())
                .putResult("trainExamples", train.size())
                .putResult("testExamples", test.size())
                .build();
    }

    private static String describe(Dataset<Label> dataset) {
        String className = dataset.getSourceProvenance().getClassName();
        return className.substring(className.lastIndexOf('.') + 1) + " (full provenance below)";
    }

    /**
     * The facts about this machine and library stack that a reader needs to judge the figures.
     * @return An ordered map of facts.
     */
    public static Map<String, String> environment() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        facts.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        facts.put("processors", Integer.toString(Runtime.getRuntime().availableProcessors()));
        facts.put("tribuo", Tribuo.VERSION);
        facts.put("djl", DjlRuntime.djlVersion());
        facts.put("pytorch", DjlRuntime.pytorchVersion());
        facts.put("pytorch-intra-op-threads", Integer.toString(DjlRuntime.intraOpThreads()));
        facts.put("kernel-path", Kernels.path().setting() + " (" + Kernels.reason() + ")");
        return facts;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "Pipeline");
    }
}
