package org.tribuoadapt.tta.scenario;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuo.ConfigurableDataSource;
import org.tribuo.Dataset;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.data.columnar.FieldProcessor;
import org.tribuo.data.columnar.RowProcessor;
import org.tribuo.data.columnar.processors.field.DoubleFieldProcessor;
import org.tribuo.data.columnar.processors.response.FieldResponseProcessor;
import org.tribuo.data.csv.CSVDataSource;
import org.tribuo.provenance.DataProvenance;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.data.IDXImageDataSource;
import org.tribuoadapt.tta.corruption.Corruption;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Replays shifted test sets that a user already has, one data source per domain in the order given: for example
 * the CIFAR-10-C or MNIST-C files converted to IDX or CSV. Any Tribuo {@link ConfigurableDataSource} works;
 * {@link #fromIdx} and {@link #fromCsv} build the usual ones. The provenance of every source (with its file hashes)
 * is recorded with the stream.
 */
public final class FileReplayScenario extends AbstractShiftScenario {

    /** The shift name of replayed domains. */
    public static final String FILE_SHIFT = "file";

    @Config(mandatory = true, description = "One data source per domain, in stream order.")
    private List<ConfigurableDataSource<Label>> domainSources = new ArrayList<>();

    @Config(description = "Domain names, one per source; empty names them domain-1, domain-2, ...")
    private List<String> domainNames = new ArrayList<>();

    @Config(description = "Severity (1-5) of each domain for severity charts; empty, or 0 for unknown.")
    private List<Integer> domainSeverities = new ArrayList<>();

    /** For OLCUT. */
    private FileReplayScenario() {}

    /**
     * Creates a replay scenario.
     * @param domainSources One data source per domain, in stream order.
     * @param domainNames Domain names, one per source, or empty.
     * @param domainSeverities Severities (1-5, or 0 for unknown), one per source, or empty.
     * @param mode How domains follow each other.
     * @param batchSize Examples per batch, at least 1.
     * @param dirichletDelta The Dirichlet concentration of the label-correlated order; 0 for i.i.d.
     * @param examplesPerDomain Examples per domain; 0 for all.
     * @param seed The seed of the subsample and the order.
     */
    public FileReplayScenario(List<? extends ConfigurableDataSource<Label>> domainSources, List<String> domainNames,
                              List<Integer> domainSeverities, StreamMode mode, int batchSize, double dirichletDelta,
                              int examplesPerDomain, long seed) {
        super(mode, batchSize, dirichletDelta, examplesPerDomain, seed);
        this.domainSources = new ArrayList<>(domainSources);
        this.domainNames = new ArrayList<>(domainNames);
        this.domainSeverities = new ArrayList<>(domainSeverities);
        postConfig();
    }

    /**
     * Replays IDX image and label files (MNIST format, raw or gzipped), one pair per domain.
     * @param imageFiles The image files, in stream order.
     * @param labelFiles The label files, one per image file.
     * @param domainNames Domain names, or empty.
     * @param domainSeverities Severities, or empty.
     * @param mode How domains follow each other.
     * @param batchSize Examples per batch.
     * @param seed The seed of the order.
     * @return The scenario.
     * @throws IOException if a file cannot be read.
     */
    public static FileReplayScenario fromIdx(List<Path> imageFiles, List<Path> labelFiles, List<String> domainNames,
                                             List<Integer> domainSeverities, StreamMode mode, int batchSize, long seed)
            throws IOException {
        if (imageFiles.size() != labelFiles.size()) {
            throw new IllegalArgumentException(imageFiles.size() + " image files need as many label files, found "
                    + labelFiles.size());
        }
        List<IDXImageDataSource> sources = new ArrayList<>();
        for (int i = 0; i < imageFiles.size(); i++) {
            sources.add(new IDXImageDataSource(imageFiles.get(i).toString(), labelFiles.get(i).toString()));
        }
        return new FileReplayScenario(sources, domainNames, domainSeverities, mode, batchSize, 0.0, 0, seed);
    }

    /**
     * Replays CSV files with a header row, one per domain: the label column, and one numeric column per feature,
     * named as the model's features (for images read by {@code IDXImageDataSource}: {@code px000}, {@code px001},
     * ...).
     * @param files The CSV files, in stream order.
     * @param labelColumn The name of the label column.
     * @param domainNames Domain names, or empty.
     * @param domainSeverities Severities, or empty.
     * @param mode How domains follow each other.
     * @param batchSize Examples per batch.
     * @param seed The seed of the order.
     * @return The scenario.
     * @throws IOException if a file cannot be read.
     */
    public static FileReplayScenario fromCsv(List<Path> files, String labelColumn, List<String> domainNames,
                                             List<Integer> domainSeverities, StreamMode mode, int batchSize, long seed)
            throws IOException {
        List<CSVDataSource<Label>> sources = new ArrayList<>();
        LabelFactory factory = new LabelFactory();
        for (Path file : files) {
            List<String> columns = header(file);
            if (!columns.contains(labelColumn)) {
                throw new IllegalArgumentException("CSV file " + file + " has no label column '" + labelColumn
                        + "'; its columns start with " + columns.subList(0, Math.min(5, columns.size())));
            }
            Map<String, FieldProcessor> fields = new LinkedHashMap<>();
            for (String column : columns) {
                if (!column.equals(labelColumn)) {
                    fields.put(column, new DoubleFieldProcessor(column, true, true));
                }
            }
            // labels are kept as written (Tribuo upper-cases them by default)
            RowProcessor<Label> rows = new RowProcessor<>(new FieldResponseProcessor<>(List.of(labelColumn), List.of(""),
                    factory, false, false), fields);
            sources.add(new CSVDataSource<>(file, rows, true));
        }
        return new FileReplayScenario(sources, domainNames, domainSeverities, mode, batchSize, 0.0, 0, seed);
    }

    private static List<String> header(Path file) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line = reader.readLine();
            if (line == null || line.isBlank()) {
                throw new IllegalArgumentException("CSV file " + file + " is empty; expected a header row");
            }
            List<String> columns = new ArrayList<>();
            for (String c : line.split(",", -1)) {
                columns.add(c.trim().replace("\"", ""));
            }
            return columns;
        }
    }

    @Override
    public void postConfig() {
        super.postConfig();
        if (domainSources.isEmpty()) {
            throw new PropertyException("", "domainSources", "domainSources is empty; give one data source per domain");
        }
        if (!domainNames.isEmpty() && domainNames.size() != domainSources.size()) {
            throw new PropertyException("", "domainNames", domainSources.size() + " domains need as many names, found "
                    + domainNames.size());
        }
        if (!domainNames.isEmpty() && new HashSet<>(domainNames).size() != domainNames.size()) {
            throw new PropertyException("", "domainNames", "domain names must be distinct, found " + domainNames);
        }
        if (!domainSeverities.isEmpty() && domainSeverities.size() != domainSources.size()) {
            throw new PropertyException("", "domainSeverities", domainSources.size()
                    + " domains need as many severities, found " + domainSeverities.size());
        }
        for (Integer s : domainSeverities) {
            if (s == null || s < 0 || s > Corruption.MAX_SEVERITY) {
                throw new PropertyException("", "domainSeverities", "severity " + s + " is outside "
                        + Corruption.MIN_SEVERITY + "-" + Corruption.MAX_SEVERITY + " (or 0 for unknown)");
            }
        }
    }

    @Override
    protected Domains domains(Dataset<Label> testData, FeatureTensorizer tensorizer,
                              ImmutableOutputInfo<Label> outputInfo, SplittableRandom rng) {
        List<ShiftDomain> domains = new ArrayList<>();
        List<DataProvenance> sources = new ArrayList<>();
        for (int d = 0; d < domainSources.size(); d++) {
            ConfigurableDataSource<Label> source = domainSources.get(d);
            String name = domainNames.isEmpty() ? "domain-" + (d + 1) : domainNames.get(d);
            DenseData data;
            try {
                data = densify(source, tensorizer, outputInfo);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("domain '" + name + "' (" + source.getClass().getSimpleName() + "): "
                        + e.getMessage(), e);
            }
            int[] keep = subsample(data.labels(), outputInfo.size(), rng.split());
            int width = tensorizer.width();
            int[] labels = new int[keep.length];
            float[] features = new float[keep.length * width];
            for (int k = 0; k < keep.length; k++) {
                labels[k] = data.labels()[keep[k]];
                System.arraycopy(data.features(), keep[k] * width, features, k * width, width);
            }
            int severity = domainSeverities.isEmpty() ? 0 : domainSeverities.get(d);
            domains.add(new ShiftDomain(name, FILE_SHIFT, severity, labels, width, () -> features));
            sources.add(source.getProvenance());
        }
        return new Domains(domains, sources);
    }

    @Override
    public String describe() {
        return domainSources.size() + " replayed domains, " + super.describe();
    }
}
