package org.tribuoadapt.pipeline;

import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import org.tribuo.Dataset;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuoadapt.report.Report;
import org.tribuoadapt.report.ReportSection;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shared state of one pipeline run: named datasets and models that steps publish and read, the report being
 * built, the output folder and the progress sink. Names are checked: asking for a missing dataset or model names
 * the ones that exist.
 */
public final class PipelineContext {

    private final Report.Builder report;
    private final Path outputDirectory;
    private final ProgressSink progress;
    private final Map<String, Dataset<Label>> datasets = new LinkedHashMap<>();
    private final Map<String, Model<Label>> models = new LinkedHashMap<>();

    /**
     * Creates a context.
     * @param report The report under construction.
     * @param outputDirectory Where the run writes files.
     * @param progress Where progress goes.
     */
    public PipelineContext(Report.Builder report, Path outputDirectory, ProgressSink progress) {
        this.report = report;
        this.outputDirectory = outputDirectory;
        this.progress = progress;
    }

    /**
     * Publishes a dataset.
     * @param name Its name, e.g. {@code train}.
     * @param dataset The dataset.
     */
    public void putDataset(String name, Dataset<Label> dataset) {
        datasets.put(name, dataset);
    }

    /**
     * Reads a published dataset.
     * @param name Its name.
     * @return The dataset.
     * @throws IllegalArgumentException listing the published names, if there is none by that name.
     */
    public Dataset<Label> dataset(String name) {
        Dataset<Label> d = datasets.get(name);
        if (d == null) {
            throw new IllegalArgumentException("no dataset named '" + name + "'; datasets are: " + datasets.keySet());
        }
        return d;
    }

    /**
     * Publishes a model for later steps.
     * @param name Its name, e.g. {@code source}.
     * @param model The model.
     */
    public void putModel(String name, Model<Label> model) {
        models.put(name, model);
    }

    /**
     * Reads a published model.
     * @param name Its name.
     * @param type The expected model class.
     * @param <M> The model type.
     * @return The model.
     * @throws IllegalArgumentException if there is no such model or it has another type.
     */
    public <M extends Model<Label>> M model(String name, Class<M> type) {
        Model<Label> m = models.get(name);
        if (m == null) {
            throw new IllegalArgumentException("no model named '" + name + "'; models are: " + models.keySet());
        }
        if (!type.isInstance(m)) {
            throw new IllegalArgumentException("model '" + name + "' is a " + m.getClass().getSimpleName()
                    + ", not a " + type.getSimpleName());
        }
        return type.cast(m);
    }

    /**
     * Adds a section to the report.
     * @param section The section.
     */
    public void addSection(ReportSection section) {
        report.addSection(section);
    }

    /**
     * Records the provenance of a model, evaluation or other object in the report, so that its numbers can be
     * reproduced.
     * @param name A unique name, e.g. {@code source-model}.
     * @param provenance The provenance.
     */
    public void addProvenance(String name, ObjectProvenance provenance) {
        report.addProvenance(name, provenance);
    }

    /**
     * Where the run writes files.
     * @return The output folder.
     */
    public Path outputDirectory() {
        return outputDirectory;
    }

    /**
     * Where progress goes.
     * @return The sink.
     */
    public ProgressSink progress() {
        return progress;
    }
}
