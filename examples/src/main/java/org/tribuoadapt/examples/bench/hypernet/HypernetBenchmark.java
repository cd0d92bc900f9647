package org.tribuoadapt.examples.bench.hypernet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.spec.HypernetworkSpec;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.ConditionedWeightDecayObjective;
import org.tribuoadapt.core.train.EpochSummary;
import org.tribuoadapt.examples.bench.core.BenchmarkCommand;
import org.tribuoadapt.examples.bench.core.BenchmarkOptions;
import org.tribuoadapt.examples.bench.core.EmbeddedSample;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench hypernet}: hypernetworks conditioned on an L2 regularisation strength (the amortised-hyperparameter task
 * of Ortiz, Guttag and Dalca, "Magnitude Invariant Parametrizations Improve Hypernetwork Learning", ICLR 2024) on the
 * embedded Fashion-MNIST sample, in the plain form and with Magnitude Invariant Parametrizations (MIP). Both predict
 * the weights of a 784-32-10 ReLU perceptron from a hypernetwork with hidden widths 16 and 16, and train with Adam on
 * {@link ConditionedWeightDecayObjective}: each batch draws {@code gamma ~ U[0, 1)} and minimises
 * {@code CE + gamma * --max-decay * ||theta||^2}. The conditioning value is the feature {@value #CONDITION}, which
 * sorts after the pixels. One JSON line per arm and seed: the mean training loss of every epoch and the test accuracy
 * at each {@code --gammas} value; then one summary line per arm with the median loss per epoch and the median accuracy
 * per gamma over the seeds. Options: {@code --seeds 1,2,3}, {@code --epochs N} (5), {@code --batch N} (64),
 * {@code --lr X} (0.001), {@code --examples N} (0, all 8,000), {@code --max-decay X} (0.01), {@code --gammas 0,0.5,1},
 * {@code --test-examples N} (the first N test images; 0, the default, for all 2,000).
 */
public final class HypernetBenchmark implements BenchmarkCommand {

    /** The name of the conditioning feature. */
    public static final String CONDITION = "~gamma";

    private static final int[] PRIMARY_HIDDEN = {32};
    private static final int[] HYPER_HIDDEN = {16, 16};

    @Override
    public String name() {
        return "hypernet";
    }

    @Override
    public String description() {
        return "plain against magnitude invariant (MIP) hypernetworks conditioned on a weight-decay strength: loss per "
                + "epoch and accuracy per strength (--seeds 1,2,3 --epochs N --batch N --lr X --examples N --max-decay X --gammas 0,0.5,1 --test-examples N)";
    }

    @Override
    public void run(List<String> args, PrintStream out) throws IOException {
        BenchmarkOptions options = new BenchmarkOptions(args, Map.of("seeds", "1,2,3", "epochs", "5", "batch", "64",
                "lr", "0.001", "examples", "0", "max-decay", "0.01", "gammas", "0,0.5,1", "test-examples", "0"));
        int epochs = options.integer("epochs");
        int batch = options.integer("batch");
        double lr = options.real("lr");
        double maxDecay = options.real("max-decay");
        List<Double> gammas = new ArrayList<>();
        for (String g : options.list("gammas")) {
            double gamma = Double.parseDouble(g.trim());
            if (!(gamma >= 0 && gamma <= 1)) {
                throw new IllegalArgumentException("every --gammas value must be in [0, 1], found " + g);
            }
            gammas.add(gamma);
        }
        MutableDataset<Label> train = conditioned(EmbeddedSample.load("train", options.integer("examples")), 0.5);
        MutableDataset<Label> rawTest = EmbeddedSample.load("t10k", options.integer("test-examples"));
        Map<Double, MutableDataset<Label>> tests = new LinkedHashMap<>();
        for (double gamma : gammas) {
            tests.put(gamma, conditioned(rawTest, gamma));
        }
        int features = train.getFeatureMap().size() - 1;
        Map<String, HypernetworkSpec> arms = new LinkedHashMap<>();
        arms.put("plain", HypernetworkSpec.plain(features, 1, PRIMARY_HIDDEN, HYPER_HIDDEN));
        arms.put("mip", HypernetworkSpec.magnitudeInvariant(features, 1, PRIMARY_HIDDEN, HYPER_HIDDEN));
        ObjectMapper mapper = new ObjectMapper();
        Map<String, List<double[]>> losses = new LinkedHashMap<>();
        Map<String, List<double[]>> accuracies = new LinkedHashMap<>();
        for (String seedText : options.string("seeds").split(",")) {
            long seed = Long.parseLong(seedText.trim());
            for (Map.Entry<String, HypernetworkSpec> arm : arms.entrySet()) {
                NetworkTrainer trainer = new NetworkTrainer(arm.getValue(), new AdamOptimiserFactory(lr), epochs, batch, seed)
                        .withObjective(new ConditionedWeightDecayObjective(maxDecay));
                long start = System.nanoTime();
                NetworkModel model = trainer.train(train);
                double seconds = (System.nanoTime() - start) / 1e9;
                double[] loss = model.history().orElseThrow().epochs().stream().mapToDouble(EpochSummary::trainLoss).toArray();
                double[] accuracy = new double[gammas.size()];
                int i = 0;
                for (MutableDataset<Label> test : tests.values()) {
                    accuracy[i++] = new LabelEvaluator().evaluate(model, test).accuracy();
                }
                losses.computeIfAbsent(arm.getKey(), a -> new ArrayList<>()).add(loss);
                accuracies.computeIfAbsent(arm.getKey(), a -> new ArrayList<>()).add(accuracy);
                ObjectNode json = header(mapper, arm, train.size(), epochs, batch, lr, maxDecay).put("seed", seed);
                putSeries(json.putArray("loss_per_epoch"), loss);
                putAccuracies(json.putObject("accuracy_at_gamma"), gammas, accuracy);
                out.println(json.put("train_seconds", Math.round(seconds * 10) / 10.0));
            }
        }
        for (Map.Entry<String, HypernetworkSpec> arm : arms.entrySet()) {
            ObjectNode json = header(mapper, arm, train.size(), epochs, batch, lr, maxDecay);
            json.put("seeds", losses.get(arm.getKey()).size());
            putSeries(json.putArray("median_loss_per_epoch"), medians(losses.get(arm.getKey())));
            putAccuracies(json.putObject("median_accuracy_at_gamma"), gammas, medians(accuracies.get(arm.getKey())));
            out.println(json);
        }
    }

    /**
     * A copy of a dataset whose examples carry the conditioning feature {@value #CONDITION} after their own.
     * @param data The dataset.
     * @param gamma The conditioning value of every example.
     * @return The new dataset.
     */
    static MutableDataset<Label> conditioned(MutableDataset<Label> data, double gamma) {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> out = new MutableDataset<>(new SimpleDataSourceProvenance(
                data.getSourceDescription() + " with " + CONDITION + "=" + gamma, factory), factory);
        for (Example<Label> e : data) {
            List<String> names = new ArrayList<>();
            List<Double> values = new ArrayList<>();
            for (Feature f : e) {
                names.add(f.getName());
                values.add(f.getValue());
            }
            names.add(CONDITION);
            values.add(gamma);
            out.add(new ArrayExample<>(e.getOutput(), names.toArray(new String[0]),
                    values.stream().mapToDouble(Double::doubleValue).toArray()));
        }
        return out;
    }

    private static double[] medians(List<double[]> runs) {
        double[] out = new double[runs.get(0).length];
        for (int i = 0; i < out.length; i++) {
            List<Double> column = new ArrayList<>();
            for (double[] run : runs) {
                column.add(run[i]);
            }
            out[i] = BenchmarkOptions.median(column);
        }
        return out;
    }

    private static void putSeries(ArrayNode array, double[] values) {
        for (double v : values) {
            array.add(round(v));
        }
    }

    private static void putAccuracies(ObjectNode object, List<Double> gammas, double[] accuracy) {
        for (int i = 0; i < gammas.size(); i++) {
            object.put(Double.toString(gammas.get(i)), round(accuracy[i]));
        }
    }

    private static ObjectNode header(ObjectMapper mapper, Map.Entry<String, HypernetworkSpec> arm, int examples,
                                     int epochs, int batch, double lr, double maxDecay) {
        ObjectNode json = mapper.createObjectNode();
        json.put("benchmark", "hypernet").put("arm", arm.getKey()).put("spec", arm.getValue().toString())
                .put("examples", examples).put("epochs", epochs).put("batch", batch).put("lr", lr)
                .put("max_decay", maxDecay);
        return json;
    }

    private static double round(double value) {
        return Math.round(value * 10000) / 10000.0;
    }
}
