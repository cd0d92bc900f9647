package org.tribuoadapt.examples.bench.tta;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.examples.bench.core.BenchmarkCommand;
import org.tribuoadapt.examples.bench.core.BenchmarkOptions;
import org.tribuoadapt.examples.bench.core.EmbeddedSample;
import org.tribuoadapt.tta.corruption.Corruption;
import org.tribuoadapt.tta.da.paretoda.DirectionRule;
import org.tribuoadapt.tta.da.paretoda.ParetoDaModel;
import org.tribuoadapt.tta.da.paretoda.ParetoDaTrainer;
import org.tribuoadapt.tta.method.ModelOutputs;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench da}: unsupervised domain adaptation with Pareto Domain Adaptation (Lv et al. 2021, "Pareto Domain
 * Adaptation", NeurIPS) from clean to corrupted images of the embedded Fashion-MNIST sample. A CNN (conv 32 and 64
 * with BatchNorm, pooling, hidden 128) is trained on the first clean training images; they are the labelled source.
 * For each target domain (a corruption at one severity) the first {@code --test-examples} test images are
 * corrupted, each with its own seed;
 * the first {@code --target-examples} are the unlabelled target data and the rest are the evaluation set, never
 * seen in training. On the frozen network's 128 penultimate features {@link ParetoDaTrainer} trains a bottleneck
 * and classifier under each weighting of its three objectives (source cross-entropy, Deep CORAL alignment, target
 * TCM loss), with the same seed, steps and learning rate:
 * <ul>
 *     <li>{@code source}: the network itself, unadapted;</li>
 *     <li>{@code source-only}: fixed weights 1, 0, 0 (the source loss alone);</li>
 *     <li>{@code equal-sum}: fixed weights 1, 1, 1;</li>
 *     <li>{@code min-norm}: the unguided min-norm Pareto direction (MGDA);</li>
 *     <li>{@code pareto}: ParetoDA's target-prediction-guided Pareto direction.</li>
 * </ul>
 * Options (defaults in brackets): {@code --train-examples} [2000], {@code --epochs} source epochs [2],
 * {@code --test-examples} [2000], {@code --target-examples} [1000], {@code --corruptions}
 * [gaussian_noise,fog,contrast], {@code --severity} [5], {@code --steps} [400], {@code --batch-size} [64],
 * {@code --lr} [0.05], {@code --bottleneck} [64], {@code --seeds} seeds of the DA training, the source network and
 * the corruptions use the first [1,2,3].
 */
public final class DaBenchmark implements BenchmarkCommand {

    private static final Map<String, String> DEFAULTS = defaults();
    private static final int EXTRACTION_BATCH = 256;

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("train-examples", "2000");
        d.put("epochs", "2");
        d.put("test-examples", "2000");
        d.put("target-examples", "1000");
        d.put("corruptions", "gaussian_noise,fog,contrast");
        d.put("severity", "5");
        d.put("steps", "400");
        d.put("batch-size", "64");
        d.put("lr", "0.05");
        d.put("bottleneck", "64");
        d.put("seeds", "1,2,3");
        return Collections.unmodifiableMap(d);
    }

    /**
     * Creates the command.
     */
    public DaBenchmark() {}

    @Override
    public String name() {
        return "da";
    }

    @Override
    public String description() {
        return "unsupervised domain adaptation from clean to corrupted images: Pareto DA against source-only, a "
                + "fixed equal-weight sum and the min-norm direction; options --"
                + String.join(", --", DEFAULTS.keySet());
    }

    @Override
    public void run(List<String> args, PrintStream out) throws Exception {
        BenchmarkOptions options = new BenchmarkOptions(args, DEFAULTS);
        int trainExamples = options.integer("train-examples");
        int epochs = options.integer("epochs");
        int testExamples = options.integer("test-examples");
        int targetExamples = options.integer("target-examples");
        List<String> corruptions = options.list("corruptions");
        int severity = options.integer("severity");
        Corruption.checkSeverity(severity);
        int steps = options.integer("steps");
        int batchSize = options.integer("batch-size");
        double rate = options.real("lr");
        int bottleneck = options.integer("bottleneck");
        List<Integer> seeds = options.integers("seeds");
        if (trainExamples < 1 || testExamples < 1 || targetExamples < 1 || seeds.isEmpty()) {
            throw new IllegalArgumentException("--train-examples, --test-examples and --target-examples must be at "
                    + "least 1, and --seeds must name a seed");
        }
        for (String corruption : corruptions) {
            Corruption.fromName(corruption);
        }
        ObjectMapper json = new ObjectMapper();
        long started = System.nanoTime();
        long seed = seeds.get(0);
        MutableDataset<Label> testImages = EmbeddedSample.load("t10k", testExamples);
        if (targetExamples >= testImages.size()) {
            throw new IllegalArgumentException("--target-examples must leave evaluation images out of the "
                    + testImages.size() + " test images, found " + targetExamples);
        }
        MutableDataset<Label> train = EmbeddedSample.load("train", trainExamples);
        CNNSpec spec = new CNNSpec(1, 28, 28, new int[] {32, 64}, true, 2, new int[] {128});
        NetworkModel model = new NetworkTrainer(spec, new AdamOptimiserFactory(1e-3), epochs, 64, seed).train(train);
        TensorDataset source = TensorDataset.from(train, model.tensorizer(), model.getOutputIDInfo());
        TensorDataset test = TensorDataset.from(testImages, model.tensorizer(), model.getOutputIDInfo());
        Map<String, Object> modelLine = new LinkedHashMap<>();
        modelLine.put("bench", "da");
        modelLine.put("event", "source-model");
        modelLine.put("trainExamples", train.size());
        modelLine.put("targetExamples", targetExamples);
        modelLine.put("evaluationExamples", test.size() - targetExamples);
        modelLine.put("seconds", (System.nanoTime() - started) / 1e9);
        out.println(json.writeValueAsString(modelLine));
        try (ModelOutputs outputs = ModelOutputs.of(model, "head")) {
            ModelOutputs.Outputs sourceOut = outputs.runInBatches(inputs(source), source.size(), EXTRACTION_BATCH);
            for (String corruption : corruptions) {
                String domain = corruption + "-" + severity;
                float[] shifted = corrupt(inputs(test), test.size(), corruption, severity, seed);
                ModelOutputs.Outputs targetOut = outputs.runInBatches(shifted, test.size(), EXTRACTION_BATCH);
                int width = targetOut.featureWidth();
                float[] adaptation = Arrays.copyOfRange(targetOut.features(), 0, targetExamples * width);
                int nEvaluation = test.size() - targetExamples;
                float[] evaluation = Arrays.copyOfRange(targetOut.features(), targetExamples * width,
                        test.size() * width);
                int[] evaluationLabels = Arrays.copyOfRange(test.labels(), targetExamples, test.size());
                float[] sourceProbabilities = Arrays.copyOfRange(targetOut.probabilities(),
                        targetExamples * outputs.numClasses(), test.size() * outputs.numClasses());
                Map<String, Object> sourceLine = line(domain, "source", seed);
                sourceLine.put("accuracy", accuracy(toDoubles(sourceProbabilities), evaluationLabels,
                        outputs.numClasses()));
                out.println(json.writeValueAsString(sourceLine));
                out.flush();
                for (int s : seeds) {
                    for (Map.Entry<String, ParetoDaTrainer> method : trainers(steps, batchSize, rate, bottleneck, s)
                            .entrySet()) {
                        long start = System.nanoTime();
                        ParetoDaModel adapted = method.getValue().train(sourceOut.features(), source.labels(),
                                adaptation, width, outputs.numClasses());
                        double seconds = (System.nanoTime() - start) / 1e9;
                        Map<String, Object> result = line(domain, method.getKey(), s);
                        result.put("accuracy", accuracy(adapted.probabilities(evaluation, nEvaluation),
                                evaluationLabels, outputs.numClasses()));
                        result.put("meanObjectiveWeights", adapted.meanObjectiveWeights());
                        result.put("trainSeconds", seconds);
                        out.println(json.writeValueAsString(result));
                        out.flush();
                    }
                }
            }
        }
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("bench", "da");
        done.put("event", "done");
        done.put("totalSeconds", (System.nanoTime() - started) / 1e9);
        out.println(json.writeValueAsString(done));
    }

    private static Map<String, ParetoDaTrainer> trainers(int steps, int batchSize, double rate, int bottleneck,
                                                         long seed) {
        Map<String, ParetoDaTrainer> out = new LinkedHashMap<>();
        out.put("source-only", new ParetoDaTrainer(DirectionRule.FIXED, new double[] {1, 0, 0}, bottleneck, steps,
                batchSize, rate, 1e-4, 0.1, seed));
        out.put("equal-sum", new ParetoDaTrainer(DirectionRule.FIXED, new double[] {1, 1, 1}, bottleneck, steps,
                batchSize, rate, 1e-4, 0.1, seed));
        out.put("min-norm", new ParetoDaTrainer(DirectionRule.MIN_NORM, new double[] {1, 1, 1}, bottleneck, steps,
                batchSize, rate, 1e-4, 0.1, seed));
        out.put("pareto", new ParetoDaTrainer(DirectionRule.GUIDED, new double[] {1, 1, 1}, bottleneck, steps,
                batchSize, rate, 1e-4, 0.1, seed));
        return out;
    }

    private static Map<String, Object> line(String domain, String method, long seed) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("bench", "da");
        line.put("domain", domain);
        line.put("method", method);
        line.put("seed", seed);
        return line;
    }

    private static float[] inputs(TensorDataset data) {
        try (NDManager manager = DjlRuntime.newManager()) {
            return data.features(manager, Evaluation.range(0, data.size())).toFloatArray();
        }
    }

    /** The images corrupted like the target domain, each with its own seed as in the corruption scenarios. */
    private static float[] corrupt(float[] images, int n, String corruptionName, int severity, long seed) {
        Corruption corruption = Corruption.fromName(corruptionName);
        int width = images.length / n;
        int side = (int) Math.round(Math.sqrt(width));
        float[] out = new float[images.length];
        float[] image = new float[width];
        for (int i = 0; i < n; i++) {
            System.arraycopy(images, i * width, image, 0, width);
            float[] shifted = corruption.apply(image, side, side, severity, corruption.exampleSeed(seed, severity, i));
            System.arraycopy(shifted, 0, out, i * width, width);
        }
        return out;
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int j = 0; j < values.length; j++) {
            out[j] = values[j];
        }
        return out;
    }

    private static double accuracy(double[] probabilities, int[] labels, int classes) {
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (probabilities[i * classes + c] > probabilities[i * classes + best]) {
                    best = c;
                }
            }
            correct += best == labels[i] ? 1 : 0;
        }
        return (double) correct / labels.length;
    }
}
