package org.tribuoadapt.examples.bench.robust;

import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.CrossEntropyObjective;
import org.tribuoadapt.core.train.TrainingObjective;
import org.tribuoadapt.robust.ldr.AldrKlObjective;
import org.tribuoadapt.robust.ldr.LdrKlObjective;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * {@code bench robust --mode label-noise}: training on noisy labels with the cross-entropy, the LDR-KL loss and the
 * ALDR-KL loss (Zhu, Ying and Yang 2023). Symmetric label noise at each rate {@code r}: every training label is, with
 * probability {@code r}, replaced by one of the other classes drawn uniformly; the test labels stay clean. The three
 * losses train the same MLP on the same noisy labels for each seed; the test accuracy of every run and the median over
 * the seeds are printed, one JSON object per line.
 */
final class LabelNoiseBenchmark {

    private LabelNoiseBenchmark() {}

    /**
     * Runs the benchmark.
     * @param args The options of {@link LabelNoiseOptions}.
     * @param out Where the JSON lines go.
     * @throws Exception if the data cannot be read or printed.
     */
    static void run(List<String> args, PrintStream out) throws Exception {
        LabelNoiseOptions o = LabelNoiseOptions.parse(args);
        Dataset<Label> train = RobustBenchmark.load(o.data(), "train", o.trainExamples());
        Dataset<Label> test = RobustBenchmark.load(o.data(), "t10k", o.testExamples());
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("measurement", "setup");
        setup.put("mode", "label-noise");
        setup.put("trainExamples", train.size());
        setup.put("testExamples", test.size());
        setup.put("threads", DjlRuntime.intraOpThreads());
        setup.put("options", describe(o));
        RobustBenchmark.emit(out, setup);
        Map<String, TrainingObjective> losses = new LinkedHashMap<>();
        losses.put("ce", new CrossEntropyObjective());
        losses.put("ldr-kl", new LdrKlObjective(o.lambda(), o.margin()));
        losses.put("aldr-kl", new AldrKlObjective(o.lambda(), o.alpha(), o.margin(), o.lambdaSteps()));
        for (double rate : o.noiseRates()) {
            Map<String, double[]> accuracies = new LinkedHashMap<>();
            for (String loss : losses.keySet()) {
                accuracies.put(loss, new double[o.seeds()]);
            }
            for (int s = 0; s < o.seeds(); s++) {
                long seed = s + 1;
                int[] flipped = new int[1];
                Dataset<Label> noisy = withSymmetricNoise(train, rate, seed, flipped);
                for (Map.Entry<String, TrainingObjective> loss : losses.entrySet()) {
                    long start = System.nanoTime();
                    NetworkModel model = new NetworkTrainer(new MLPSpec(28 * 28, new int[] {o.hidden()}, Activation.RELU, 0.0),
                            new AdamOptimiserFactory(o.learningRate()), o.epochs(), o.batchSize(), seed)
                            .withObjective(loss.getValue()).train(noisy);
                    double accuracy = new LabelEvaluator().evaluate(model, test).accuracy();
                    accuracies.get(loss.getKey())[s] = accuracy;
                    Map<String, Object> run = new LinkedHashMap<>();
                    run.put("measurement", "label-noise-run");
                    run.put("loss", loss.getKey());
                    run.put("noiseRate", rate);
                    run.put("seed", seed);
                    run.put("flippedLabels", flipped[0]);
                    run.put("testAccuracy", accuracy);
                    run.put("seconds", (System.nanoTime() - start) / 1e9);
                    RobustBenchmark.emit(out, run);
                }
            }
            for (Map.Entry<String, double[]> e : accuracies.entrySet()) {
                Map<String, Object> summary = new LinkedHashMap<>();
                summary.put("measurement", "label-noise");
                summary.put("loss", e.getKey());
                summary.put("objective", losses.get(e.getKey()).toString());
                summary.put("noiseRate", rate);
                summary.put("testAccuracies", e.getValue());
                summary.put("medianTestAccuracy", median(e.getValue()));
                RobustBenchmark.emit(out, summary);
            }
        }
    }

    /**
     * A copy of the data in which each label is, with probability {@code rate}, replaced by another class drawn
     * uniformly from the data's other classes.
     * @param data The data.
     * @param rate The noise rate.
     * @param seed The seed of the draw.
     * @param flipped Receives the number of replaced labels.
     * @return The noisy copy.
     */
    static Dataset<Label> withSymmetricNoise(Dataset<Label> data, double rate, long seed, int[] flipped) {
        List<String> classes = new ArrayList<>(new TreeSet<>(data.getOutputs().stream().map(Label::getLabel).toList()));
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> out = new MutableDataset<>(new SimpleDataSourceProvenance(
                "symmetric label noise " + rate + ", seed " + seed, factory), factory);
        SplittableRandom rng = new SplittableRandom(seed);
        for (Example<Label> example : data) {
            Label label = example.getOutput();
            if (rng.nextDouble() < rate) {
                int other = rng.nextInt(classes.size() - 1);
                int own = classes.indexOf(label.getLabel());
                label = new Label(classes.get(other >= own ? other + 1 : other));
                flipped[0]++;
            }
            out.add(new ArrayExample<>(label, example, example.getWeight()));
        }
        return out;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static Map<String, Object> describe(LabelNoiseOptions o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("network", "mlp 784-" + o.hidden() + "-10 relu");
        m.put("epochs", o.epochs());
        m.put("batchSize", o.batchSize());
        m.put("learningRate", o.learningRate());
        m.put("noiseRates", o.noiseRates());
        m.put("seeds", o.seeds());
        m.put("lambda", o.lambda());
        m.put("margin", o.margin());
        m.put("alpha", o.alpha());
        m.put("lambdaSteps", o.lambdaSteps());
        return m;
    }
}
