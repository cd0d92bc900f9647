package org.tribuoadapt.hpo.search.objective;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.config.ConfigurationData;
import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.config.PropertySheet;
import com.oracle.labs.mlrg.olcut.config.json.JsonProvenanceSerialization;
import com.oracle.labs.mlrg.olcut.config.property.ListProperty;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuo.DataSource;
import org.tribuo.Dataset;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.ConfusionMatrix;
import org.tribuo.classification.evaluation.ConfusionMetrics;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.evaluation.metrics.MetricTarget;
import org.tribuoadapt.core.data.CheckedDatasets;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.hpo.search.ActiveTrial;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.Objective;
import org.tribuoadapt.hpo.search.SearchSpace;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * An objective over an OLCUT configuration file: for each trial the file is loaded with the trial's values as
 * {@code --@component.property value} overrides (the command line's mechanism), the named {@code Trainer<Label>}
 * trains on the training data source, and Tribuo's {@link LabelEvaluator} scores the model on the validation data
 * source. Both data sources are components of the same file.
 * <p>
 * A {@link NetworkTrainer} also reports the metric on the validation data source after every epoch as the trial's
 * intermediate value (step = epoch, from 1) and asks the study's pruner; a pruned trial stops at the end of that
 * epoch by throwing {@link org.tribuoadapt.hpo.search.TrialPruned} out of the training loop, which closes the
 * network and its native memory. Other trainers report nothing and are never pruned.
 * <p>
 * Every searched {@code component.property} is checked against the file when the objective is configured, so a
 * misspelt name, or a list-valued property searched without the list kind (or a single-valued one with it), fails
 * before any training. A list property's length and elements (see {@link SearchSpace}) reach the file as one
 * list-valued property, so an MLP's depth and per-layer widths are searched together. Each trial records the
 * trained model's provenance as the user attribute
 * {@value #PROVENANCE_ATTRIBUTE} (OLCUT's JSON provenance) with its SHA-256 in {@value #PROVENANCE_HASH_ATTRIBUTE},
 * so the best trial can be retrained.
 */
public final class ConfigObjective implements Objective, Configurable, Provenancable<ConfiguredObjectProvenance> {

    /** User attribute holding the model provenance (OLCUT JSON). */
    public static final String PROVENANCE_ATTRIBUTE = "model_provenance";
    /** User attribute holding the SHA-256 of {@value #PROVENANCE_ATTRIBUTE}. */
    public static final String PROVENANCE_HASH_ATTRIBUTE = "model_provenance_sha256";

    /** The validation metrics an objective can return, computed from the validation confusion matrix. */
    public enum Metric {
        /** Accuracy (maximise); Tribuo's {@code LabelEvaluation.accuracy()}. */
        ACCURACY(cm -> ConfusionMetrics.accuracy(MetricTarget.microAverageTarget(), cm), Direction.MAXIMIZE),
        /** Macro-averaged F1 (maximise); Tribuo's {@code LabelEvaluation.macroAveragedF1()}. */
        MACRO_F1(cm -> ConfusionMetrics.f1(MetricTarget.macroAverageTarget(), cm), Direction.MAXIMIZE),
        /** Balanced error rate (minimise); Tribuo's {@code LabelEvaluation.balancedErrorRate()}. */
        BALANCED_ERROR_RATE(ConfusionMetrics::balancedErrorRate, Direction.MINIMIZE);

        private final ToDoubleFunction<ConfusionMatrix<Label>> value;
        private final Direction direction;

        Metric(ToDoubleFunction<ConfusionMatrix<Label>> value, Direction direction) {
            this.value = value;
            this.direction = direction;
        }

        /**
         * The direction a study of this metric takes.
         * @return MAXIMIZE or MINIMIZE.
         */
        public Direction direction() {
            return direction;
        }

        /**
         * The metric of a confusion matrix.
         * @param confusion The validation confusion matrix.
         * @return The metric.
         */
        public double of(ConfusionMatrix<Label> confusion) {
            return value.applyAsDouble(confusion);
        }
    }

    @Config(mandatory = true, description = "The OLCUT configuration file holding the trainer and the data sources.")
    private Path configFile;

    @Config(mandatory = true, description = "Name of the Trainer<Label> component.")
    private String trainer;

    @Config(mandatory = true, description = "Name of the training DataSource<Label> component.")
    private String trainingSource;

    @Config(mandatory = true, description = "Name of the validation DataSource<Label> component.")
    private String validationSource;

    @Config(description = "The validation metric returned.")
    private Metric metric = Metric.ACCURACY;

    @Config(mandatory = true, description = "The search space, one component.property=kind:arguments per entry (see SearchSpace).")
    private List<String> space;

    private SearchSpace searchSpace;

    private ConfigObjective() {}

    /**
     * Creates an objective.
     * @param configFile The configuration file.
     * @param trainer The trainer component.
     * @param trainingSource The training data source component.
     * @param validationSource The validation data source component.
     * @param metric The metric.
     * @param space The search space in text form.
     */
    public ConfigObjective(Path configFile, String trainer, String trainingSource, String validationSource,
                           Metric metric, List<String> space) {
        this.configFile = configFile;
        this.trainer = trainer;
        this.trainingSource = trainingSource;
        this.validationSource = validationSource;
        this.metric = metric;
        this.space = List.copyOf(space);
        postConfig();
    }

    @Override
    public void postConfig() {
        try {
            searchSpace = SearchSpace.parse(space);
        } catch (IllegalArgumentException e) {
            throw new PropertyException(e, "", "space", e.getMessage());
        }
        try (ConfigurationManager cm = new ConfigurationManager(configFile.toString())) {
            for (String component : List.of(trainer, trainingSource, validationSource)) {
                data(cm, component);
            }
            Set<String> lists = searchSpace.listProperties();
            for (String name : searchSpace.properties()) {
                int dot = name.indexOf('.');
                String component = name.substring(0, dot);
                String property = name.substring(dot + 1);
                Map<String, Field> properties = configProperties(data(cm, component).getClassName());
                Field field = properties.get(property);
                if (field == null) {
                    throw new PropertyException("", "space", "component '" + component + "' has no property '" + property
                            + "'; its properties are: " + String.join(", ", properties.keySet()));
                }
                Class<?> type = field.getType();
                boolean listValued = type.isArray() || Collection.class.isAssignableFrom(type);
                if (Map.class.isAssignableFrom(type) || listValued != lists.contains(name)) {
                    throw new PropertyException("", "space", "property '" + name + "' is a " + type.getSimpleName()
                            + (listValued ? "; search it with the list kind (list:minLength:maxLength:kind:arguments)"
                            : "; only list-valued properties can be searched with the list kind"));
                }
            }
        }
    }

    private ConfigurationData data(ConfigurationManager cm, String component) {
        return cm.getConfigurationData(component).orElseThrow(() -> new PropertyException("", "space",
                "no component named '" + component + "' in " + configFile + "; components are: "
                        + String.join(", ", new TreeSet<>(cm.getComponentNames()))));
    }

    @SuppressWarnings("unchecked") // a configured component class is Configurable
    private static Map<String, Field> configProperties(String className) {
        Map<String, Field> fields = new TreeMap<>();
        try {
            for (Field f : PropertySheet.getAllFields((Class<? extends Configurable>) Class.forName(className))) {
                if (f.isAnnotationPresent(Config.class)) {
                    fields.put(f.getName(), f);
                }
            }
        } catch (ClassNotFoundException e) {
            throw new PropertyException(e, "", "configFile", "component class " + className + " is not on the class path");
        }
        return fields;
    }

    /**
     * The metric's direction, for {@code Study.create}.
     * @return The direction.
     */
    public Direction direction() {
        return metric.direction();
    }

    @Override
    public SearchSpace space() {
        return searchSpace;
    }

    /**
     * The training and validation data of the configuration file.
     * @param train The training data.
     * @param validation The validation data.
     */
    public record Data(MutableDataset<Label> train, MutableDataset<Label> validation) {}

    // single values go through --@component.property; lists are set as OLCUT list properties, because --@ parses a
    // value without a comma as a single value
    private ConfigurationManager manager(Map<String, ?> overrides) {
        List<String> args = new ArrayList<>(List.of("--config-file", configFile.toString()));
        Map<String, List<?>> lists = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : searchSpace.overrides(overrides).entrySet()) {
            if (e.getValue() instanceof List<?> list) {
                lists.put(e.getKey(), list);
            } else {
                args.add("--@" + e.getKey());
                args.add(String.valueOf(e.getValue()));
            }
        }
        ConfigurationManager cm = new ConfigurationManager(args.toArray(new String[0]));
        lists.forEach((name, list) -> {
            int dot = name.indexOf('.');
            cm.overrideConfigurableProperty(name.substring(0, dot), name.substring(dot + 1),
                    ListProperty.createFromStringList(list.stream().map(String::valueOf).toList()));
        });
        return cm;
    }

    /**
     * Loads the trainer with {@code --@component.property value} overrides, the way each trial does. Population
     * based training uses it to set, besides the searched values, the trainer's seed and epochs.
     * @param overrides Property values by {@code component.property} name.
     * @return The trainer component.
     */
    @SuppressWarnings("unchecked") // the configuration names a classification trainer
    public Trainer<Label> trainer(Map<String, ?> overrides) {
        try (ConfigurationManager cm = manager(overrides)) {
            return (Trainer<Label>) cm.lookup(trainer);
        }
    }

    /**
     * Loads and checks the training and validation data with {@code --@component.property value} overrides.
     * @param overrides Property values by {@code component.property} name.
     * @return The data.
     */
    @SuppressWarnings("unchecked") // the configuration names classification data sources
    public Data data(Map<String, ?> overrides) {
        try (ConfigurationManager cm = manager(overrides)) {
            return new Data(CheckedDatasets.load((DataSource<Label>) cm.lookup(trainingSource)),
                    CheckedDatasets.load((DataSource<Label>) cm.lookup(validationSource)));
        }
    }

    /**
     * The objective's metric of a model on validation data.
     * @param model The model.
     * @param validation The validation data.
     * @return The metric.
     */
    public double score(Model<Label> model, Dataset<Label> validation) {
        return metric.of(new LabelEvaluator().evaluate(model, validation).getConfusionMatrix());
    }

    /**
     * The name of the trainer component, for overrides of its properties.
     * @return The component name.
     */
    public String trainerName() {
        return trainer;
    }

    /**
     * The names of the training and validation data source components.
     * @return The two names.
     */
    public List<String> dataSourceNames() {
        return List.of(trainingSource, validationSource);
    }

    @Override
    public double evaluate(ActiveTrial trial) throws Exception {
        Trainer<Label> t = trainer(trial.params());
        Data data = data(trial.params());
        if (t instanceof NetworkTrainer network) {
            network.setListener(new EpochReporter(trial, metric, data.train(), data.validation(),
                    network.networkSpec().inputShape()));
        }
        Model<Label> model = t.train(data.train());
        String provenance = provenanceJson(model);
        trial.setUserAttribute(PROVENANCE_ATTRIBUTE, provenance);
        trial.setUserAttribute(PROVENANCE_HASH_ATTRIBUTE, sha256(provenance));
        return score(model, data.validation());
    }

    /**
     * A trained model and its score on the validation data source.
     * @param model The model.
     * @param score The objective's metric of the model on the validation data.
     */
    public record Fit(Model<Label> model, double score) {}

    /**
     * Trains once with fixed values (no trial: nothing is reported and nothing prunes) and scores the model on the
     * validation data source, as a trial with these values would.
     * @param values Property values by {@code component.property} name.
     * @return The model and its score.
     */
    public Fit fit(Map<String, ?> values) {
        Trainer<Label> t = trainer(values);
        Data data = data(values);
        Model<Label> model = t.train(data.train());
        return new Fit(model, score(model, data.validation()));
    }

    /**
     * A model's provenance as OLCUT JSON, the form of the user attribute {@value #PROVENANCE_ATTRIBUTE}.
     * @param model The model.
     * @return The JSON text.
     */
    public static String provenanceJson(Model<?> model) {
        return new JsonProvenanceSerialization(false).serializeToString(
                ProvenanceUtil.marshalProvenance(model.getProvenance()));
    }

    private static String sha256(String text) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "Objective");
    }
}
