package org.tribuoadapt.examples;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.Option;
import com.oracle.labs.mlrg.olcut.config.Options;
import org.tribuo.ConfigurableDataSource;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuoadapt.core.data.CheckedDatasets;
import org.tribuoadapt.core.model.ModelFiles;

import java.nio.file.Path;

/**
 * {@code evaluate}: evaluates a saved Tribuo model on a data source from a configuration.
 */
final class EvaluateCommand implements CliCommand {

    /** Options of {@code evaluate}. */
    public static final class EvaluateOptions implements Options {
        @Option(longName = "model", usage = "The model file (Tribuo protobuf, as written by train).")
        public Path model;
        @Option(longName = "source", usage = "Name of the data source component to evaluate on.")
        public String source = "test-source";
    }

    @Override
    public String name() {
        return "evaluate";
    }

    @Override
    public String description() {
        return "evaluate a saved model on a data source from a configuration (-c file.xml)";
    }

    @Override
    @SuppressWarnings("unchecked") // the configuration names a classification data source; checked by validate below
    public int run(String[] args) throws Exception {
        EvaluateOptions options = new EvaluateOptions();
        try (ConfigurationManager cm = new ConfigurationManager(args, options)) {
            if (options.model == null) {
                throw new IllegalArgumentException("--model is required");
            }
            Model<?> loaded = ModelFiles.load(options.model);
            if (!loaded.validate(Label.class)) {
                throw new IllegalArgumentException(options.model + " is not a classification model");
            }
            Model<Label> model = loaded.castModel(Label.class);
            MutableDataset<Label> data = CheckedDatasets.load((ConfigurableDataSource<Label>) cm.lookup(options.source));
            System.out.println(new LabelEvaluator().evaluate(model, data));
            return 0;
        }
    }
}
