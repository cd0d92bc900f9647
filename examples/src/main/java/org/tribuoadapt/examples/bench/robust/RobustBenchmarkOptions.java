package org.tribuoadapt.examples.bench.robust;

import java.util.Arrays;
import java.util.List;

/**
 * The options of {@code bench robust}. The defaults train on all 60,000 Fashion-MNIST training images and attack a
 * balanced 2,000-image test subset with PGD-20, sized to finish well within an hour on 2 cores; {@code
 * --test-examples 0} attacks all 10,000 test images. {@code --mode autoattack} parses over
 * {@link #autoAttackDefaults()}, where {@code --test-examples} is the size of the balanced test subset AutoAttack runs on.
 *
 * @param data The folder with the four Fashion-MNIST IDX files.
 * @param trainExamples Training examples (balanced, at most this many), 0 for all 60,000.
 * @param testExamples Test examples evaluated (balanced), 0 for all 10,000.
 * @param channels The CNN's conv channels.
 * @param hidden The CNN's hidden width.
 * @param epochs Epochs of the standard model.
 * @param atEpochs Epochs of PGD adversarial training.
 * @param atSteps PGD steps of adversarial training.
 * @param epsilon The Linf budget of training and evaluation.
 * @param evalSteps PGD steps of the evaluation attack.
 * @param alphas The fixed alphas of the curve.
 * @param mixingExamples Training examples of the mixing network.
 * @param mixingEpochs Epochs of the mixing network.
 * @param mixingSteps Iterations of the mixing network's training attack (PGD, or APGD-CE and APGD-T per target).
 * @param mixingCleanWeight The weight of a clean example in the mixing network's loss (attacked examples weigh 1).
 * @param mixingTargets APGD-T target classes of the mixing network trained on the paper's APGD copies ({@code --mode
 * autoattack}; 9 in the paper).
 * @param apgdSteps APGD-CE iterations of the second composite attack on the mixing-network model, 0 to skip it.
 * @param apgdExamples Test examples the APGD-CE check runs on.
 * @param autoAttackSteps AutoAttack's iterations of APGD-CE and of APGD-T's and FAB-T's run per target
 * ({@code --mode autoattack}; 100 in the standard version).
 * @param autoAttackTargets AutoAttack's target classes of APGD-T and FAB-T (9 in the standard version).
 * @param autoAttackQueries AutoAttack's queries of the Square attack (5000 in the standard version).
 * @param batchSize Minibatch size.
 * @param learningRate Adam's learning rate.
 * @param seed The seed.
 */
record RobustBenchmarkOptions(String data, int trainExamples, int testExamples, int[] channels, int hidden, int epochs,
                              int atEpochs, int atSteps, double epsilon, int evalSteps, double[] alphas,
                              int mixingExamples, int mixingEpochs, int mixingSteps, double mixingCleanWeight,
                              int mixingTargets, int apgdSteps, int apgdExamples, int autoAttackSteps, int autoAttackTargets,
                              int autoAttackQueries, int batchSize, double learningRate, long seed) {

    /** The option names, for the help text and errors. */
    static final List<String> NAMES = List.of("--data", "--train-examples", "--test-examples", "--channels", "--hidden",
            "--epochs", "--at-epochs", "--at-steps", "--epsilon", "--eval-steps", "--alphas", "--mixing-examples",
            "--mixing-epochs", "--mixing-steps", "--mixing-clean-weight", "--mixing-targets", "--apgd-steps", "--apgd-examples", "--autoattack-steps", "--autoattack-targets",
            "--autoattack-queries", "--batch-size", "--lr", "--seed");

    /**
     * The defaults: the full protocol.
     * @return The options.
     */
    static RobustBenchmarkOptions defaults() {
        return new RobustBenchmarkOptions("/usr/share/datasets/fashion-mnist", 0, 2000, new int[] {16, 32}, 64, 3, 2, 3,
                0.1, 20, new double[] {0.0, 0.5, 0.75, 0.9, 1.0}, 60000, 2, 20, 1.0, 9, 50, 500, 100, 9, 5000, 128, 0.002, 1L);
    }

    /**
     * The defaults of {@code --mode autoattack}: AutoAttack's standard version (APGD-CE-100, APGD-T and FAB-T with 9
     * targets of 100 iterations, Square with 5,000 queries) on a balanced 200-image test subset, with smaller models
     * trained on a balanced 6,000-image training subset (one fixed alpha, 0.75, and three mixing networks: the simple
     * variant and the paper's variant trained against PGD-10, and the paper's variant trained on the paper's APGD-CE
     * plus APGD-T copies, 10 iterations and 9 targets), sized for about 19 minutes of CPU time on 2 cores (34
     * minutes of wall time measured on the shared machine at load average 24 to 31, see docs/benchmarks.md). The test subset is stratified: the first 20 images of each of the 10 classes.
     * @return The options.
     */
    static RobustBenchmarkOptions autoAttackDefaults() {
        return new RobustBenchmarkOptions("/usr/share/datasets/fashion-mnist", 6000, 200, new int[] {8, 16}, 32, 3, 3, 3,
                0.1, 20, new double[] {0.0, 0.75, 1.0}, 6000, 2, 10, 1.0, 9, 0, 500, 100, 9, 5000, 128, 0.002, 1L);
    }

    /**
     * Parses {@code --name value} pairs over the defaults.
     * @param args The arguments.
     * @return The options.
     * @throws IllegalArgumentException naming an unknown option, a missing or malformed value.
     */
    static RobustBenchmarkOptions parse(List<String> args) {
        return parse(args, defaults());
    }

    /**
     * Parses {@code --name value} pairs over given defaults.
     * @param args The arguments.
     * @param o The defaults.
     * @return The options.
     * @throws IllegalArgumentException naming an unknown option, a missing or malformed value.
     */
    static RobustBenchmarkOptions parse(List<String> args, RobustBenchmarkOptions o) {
        String data = o.data;
        int trainExamples = o.trainExamples;
        int testExamples = o.testExamples;
        int[] channels = o.channels;
        int hidden = o.hidden;
        int epochs = o.epochs;
        int atEpochs = o.atEpochs;
        int atSteps = o.atSteps;
        double epsilon = o.epsilon;
        int evalSteps = o.evalSteps;
        double[] alphas = o.alphas;
        int mixingExamples = o.mixingExamples;
        int mixingEpochs = o.mixingEpochs;
        int mixingSteps = o.mixingSteps;
        double mixingCleanWeight = o.mixingCleanWeight;
        int mixingTargets = o.mixingTargets;
        int apgdSteps = o.apgdSteps;
        int apgdExamples = o.apgdExamples;
        int autoAttackSteps = o.autoAttackSteps;
        int autoAttackTargets = o.autoAttackTargets;
        int autoAttackQueries = o.autoAttackQueries;
        int batchSize = o.batchSize;
        double learningRate = o.learningRate;
        long seed = o.seed;
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
                    case "--channels" -> channels = Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
                    case "--hidden" -> hidden = Integer.parseInt(value);
                    case "--epochs" -> epochs = Integer.parseInt(value);
                    case "--at-epochs" -> atEpochs = Integer.parseInt(value);
                    case "--at-steps" -> atSteps = Integer.parseInt(value);
                    case "--epsilon" -> epsilon = Double.parseDouble(value);
                    case "--eval-steps" -> evalSteps = Integer.parseInt(value);
                    case "--alphas" -> alphas = Arrays.stream(value.split(",")).mapToDouble(Double::parseDouble).toArray();
                    case "--mixing-examples" -> mixingExamples = Integer.parseInt(value);
                    case "--mixing-epochs" -> mixingEpochs = Integer.parseInt(value);
                    case "--mixing-steps" -> mixingSteps = Integer.parseInt(value);
                    case "--mixing-clean-weight" -> mixingCleanWeight = Double.parseDouble(value);
                    case "--mixing-targets" -> mixingTargets = Integer.parseInt(value);
                    case "--apgd-steps" -> apgdSteps = Integer.parseInt(value);
                    case "--apgd-examples" -> apgdExamples = Integer.parseInt(value);
                    case "--autoattack-steps" -> autoAttackSteps = Integer.parseInt(value);
                    case "--autoattack-targets" -> autoAttackTargets = Integer.parseInt(value);
                    case "--autoattack-queries" -> autoAttackQueries = Integer.parseInt(value);
                    case "--batch-size" -> batchSize = Integer.parseInt(value);
                    case "--lr" -> learningRate = Double.parseDouble(value);
                    case "--seed" -> seed = Long.parseLong(value);
                    default -> throw new IllegalArgumentException("unknown option " + name + "; options are " + NAMES);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("option " + name + " has a malformed value '" + value + "'", e);
            }
        }
        if (trainExamples < 0 || testExamples < 0 || mixingExamples < 1 || apgdExamples < 1 || epochs < 1
                || atEpochs < 1 || atSteps < 1 || evalSteps < 1 || mixingEpochs < 1 || mixingSteps < 1 || mixingTargets < 1 || apgdSteps < 0
                || autoAttackSteps < 1 || autoAttackTargets < 1 || autoAttackQueries < 1
                || batchSize < 2 || !(epsilon >= 0) || !(learningRate > 0) || !(mixingCleanWeight >= 0)) {
            throw new IllegalArgumentException("example counts must be >= 0 (mixing and APGD examples >= 1), epochs, "
                    + "steps and mixing targets >= 1 (APGD steps >= 0), AutoAttack's steps, targets and queries >= 1, batch size >= 2, "
                    + "epsilon and the clean weight >= 0, "
                    + "and the learning rate > 0");
        }
        return new RobustBenchmarkOptions(data, trainExamples, testExamples, channels, hidden, epochs, atEpochs, atSteps,
                epsilon, evalSteps, alphas, mixingExamples, mixingEpochs, mixingSteps, mixingCleanWeight, mixingTargets, apgdSteps, apgdExamples,
                autoAttackSteps, autoAttackTargets, autoAttackQueries, batchSize,
                learningRate, seed);
    }
}
