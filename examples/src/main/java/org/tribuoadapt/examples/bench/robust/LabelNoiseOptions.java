package org.tribuoadapt.examples.bench.robust;

import java.util.Arrays;
import java.util.List;

/**
 * The options of {@code bench robust --mode label-noise}. The defaults train an MLP on a balanced 10,000-image subset
 * of Fashion-MNIST's training images and test on a balanced 2,000-image subset of its test images, sized to finish
 * within about five minutes on 2 cores.
 *
 * @param data The folder with the four Fashion-MNIST IDX files.
 * @param trainExamples Training examples (balanced, at most this many), 0 for all 60,000.
 * @param testExamples Test examples (balanced), 0 for all 10,000.
 * @param hidden The MLP's hidden width.
 * @param epochs Training epochs.
 * @param batchSize Minibatch size.
 * @param learningRate Adam's learning rate.
 * @param noiseRates The symmetric label-noise rates.
 * @param seeds How many seeds (1, 2, ...) each setting runs with; the median is reported.
 * @param lambda LDR-KL's lambda and ALDR-KL's lambda_0.
 * @param margin The margin c of both LDR losses.
 * @param alpha ALDR-KL's alpha.
 * @param lambdaSteps ALDR-KL's alternating steps.
 */
record LabelNoiseOptions(String data, int trainExamples, int testExamples, int hidden, int epochs, int batchSize,
                         double learningRate, double[] noiseRates, int seeds, double lambda, double margin, double alpha,
                         int lambdaSteps) {

    /** The option names, for the help text and errors. */
    static final List<String> NAMES = List.of("--data", "--train-examples", "--test-examples", "--hidden", "--epochs",
            "--batch-size", "--lr", "--noise-rates", "--seeds", "--lambda", "--margin", "--alpha", "--lambda-steps");

    /**
     * The defaults.
     * @return The options.
     */
    static LabelNoiseOptions defaults() {
        return new LabelNoiseOptions("/usr/share/datasets/fashion-mnist", 10000, 2000, 256, 15, 128, 0.001,
                new double[] {0.2, 0.4}, 3, 1.0, 1.0, 2.0, 5);
    }

    /**
     * Parses {@code --name value} pairs over the defaults.
     * @param args The arguments.
     * @return The options.
     * @throws IllegalArgumentException naming an unknown option, a missing or malformed value, or an impossible one.
     */
    static LabelNoiseOptions parse(List<String> args) {
        LabelNoiseOptions o = defaults();
        String data = o.data;
        int trainExamples = o.trainExamples;
        int testExamples = o.testExamples;
        int hidden = o.hidden;
        int epochs = o.epochs;
        int batchSize = o.batchSize;
        double learningRate = o.learningRate;
        double[] noiseRates = o.noiseRates;
        int seeds = o.seeds;
        double lambda = o.lambda;
        double margin = o.margin;
        double alpha = o.alpha;
        int lambdaSteps = o.lambdaSteps;
        for (int i = 0; i < args.size(); i += 2) {
            String name = args.get(i);
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException("option " + name + " needs a value");
            }
            String value = args.get(i + 1);
            try {
                switch (name) {
                    case "--data" -> data = value;
                    case "--train-examples" -> trainExamples = Integer.parseInt(value);
                    case "--test-examples" -> testExamples = Integer.parseInt(value);
                    case "--hidden" -> hidden = Integer.parseInt(value);
                    case "--epochs" -> epochs = Integer.parseInt(value);
                    case "--batch-size" -> batchSize = Integer.parseInt(value);
                    case "--lr" -> learningRate = Double.parseDouble(value);
                    case "--noise-rates" -> noiseRates = Arrays.stream(value.split(",")).mapToDouble(Double::parseDouble).toArray();
                    case "--seeds" -> seeds = Integer.parseInt(value);
                    case "--lambda" -> lambda = Double.parseDouble(value);
                    case "--margin" -> margin = Double.parseDouble(value);
                    case "--alpha" -> alpha = Double.parseDouble(value);
                    case "--lambda-steps" -> lambdaSteps = Integer.parseInt(value);
                    default -> throw new IllegalArgumentException("unknown option " + name + " for --mode label-noise;"
                            + " options are " + NAMES);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("option " + name + " has a malformed value '" + value + "'", e);
            }
        }
        if (trainExamples < 0 || testExamples < 0 || hidden < 1 || epochs < 1 || batchSize < 2 || seeds < 1
                || !(learningRate > 0) || noiseRates.length == 0
                || Arrays.stream(noiseRates).anyMatch(r -> !(r >= 0 && r < 1))) {
            throw new IllegalArgumentException("example counts must be >= 0, the hidden width, epochs and seeds >= 1, "
                    + "batch size >= 2, the learning rate > 0 and every noise rate in [0, 1), found "
                    + Arrays.toString(noiseRates));
        }
        return new LabelNoiseOptions(data, trainExamples, testExamples, hidden, epochs, batchSize, learningRate,
                noiseRates, seeds, lambda, margin, alpha, lambdaSteps);
    }
}
