package org.tribuoadapt.examples;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.Option;
import com.oracle.labs.mlrg.olcut.config.Options;
import org.tribuo.ConfigurableDataSource;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuoadapt.core.data.CheckedDatasets;
import org.tribuoadapt.core.io.AtomicFiles;
import org.tribuoadapt.core.model.NetworkTrainer;

import java.nio.file.Path;

/**
 * {@code train}: trains the trainer named in a configuration on a data source, optionally evaluates it on another,
 * and writes the model as a Tribuo protobuf file.
 */
final class TrainCommand implements CliCommand {

    /** Options of {@code train}. */
    public static final class TrainOptions implements Options {
        @Option(longName = "trainer", usage = "Name of the trainer component.")
        public String trainer = "trainer";
        @Option(longName = "train-source", usage = "Name of the training data source component.")
        public String trainSource = "train-source";
        @Option(longName = "test-source", usage = "Name of a test data source component (optional).")
        public String testSource;
        @Option(longName = "model-out", usage = "Where to write the trained model (Tribuo protobuf).")
        public Path modelOut;
    }

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String description() {
        return "train a model from a configuration (-c file.xml) and save it as a Tribuo protobuf file";
    }

    @Override
    @SuppressWarnings("unchecked") // the configuration names a classification trainer and data source
    public int run(String[] args) throws Exception {
        TrainOptions options = new TrainOptions();
        try (ConfigurationManager cm = new ConfigurationManager(args, options)) {
            Trainer<Label> trainer = (Trainer<Label>) cm.lookup(options.trainer);
            if (trainer == null) {
                throw new IllegalArgumentException("no trainer component named '" + options.trainer + "' in the configuration");
            }
            if (trainer instanceof NetworkTrainer) {
                ((NetworkTrainer) trainer).setListener(new CliProgress().task("train"));
            }
            MutableDataset<Label> train = CheckedDatasets.load((ConfigurableDataSource<Label>) cm.lookup(options.trainSource));
            Model<Label> model = trainer.train(train);
            System.out.println("trained " + model.getClass().getSimpleName() + " on " + train.size() + " examples");
            if (options.testSource != null) {
                MutableDataset<Label> test = CheckedDatasets.load((ConfigurableDataSource<Label>) cm.lookup(options.testSource));
                LabelEvaluation evaluation = new LabelEvaluator().evaluate(model, test);
                System.out.println(evaluation);
            }
            if (options.modelOut != null) {
                AtomicFiles.write(options.modelOut, model.serialize().toByteArray());
                System.out.println("wrote " + options.modelOut);
            }
            return 0;
        }
    }
}
