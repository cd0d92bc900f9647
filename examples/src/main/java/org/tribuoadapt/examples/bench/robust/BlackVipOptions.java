package org.tribuoadapt.examples.bench.robust;

import java.util.Arrays;
import java.util.List;

/**
 * The options of {@code bench robust --mode blackvip}. The defaults train the black-box CNN on a balanced
 * 6,000-image subset of Fashion-MNIST's training images, prompt it with 1, 4 and 16 shifted images per class taken
 * from the training images it did not see, and evaluate on a balanced 1,000-image subset of the shifted test images,
 * sized for a few minutes on 2 cores.
 *
 * @param data The folder with the four Fashion-MNIST IDX files.
 * @param trainExamples Training examples of the black-box CNN (balanced).
 * @param testExamples Shifted test examples evaluated (balanced), 0 for all 10,000.
 * @param channels The CNN's conv channels.
 * @param hidden The CNN's hidden width.
 * @param epochs Epochs of the CNN.
 * @param batchSize The CNN's minibatch size.
 * @param learningRate The CNN's Adam learning rate.
 * @param contrast The shift's contrast factor: the target image is {@code clip(contrast * x + brightness)}.
 * @param brightness The shift's brightness offset.
 * @param shots Labelled shifted examples per class BlackVIP trains on, one run each.
 * @param steps SPSA-GC steps per run (rounded up to whole epochs).
 * @param promptBatch Examples per SPSA-GC step.
 * @param gain SPSA-GC's gain {@code a}.
 * @param perturbation SPSA-GC's perturbation scale {@code c}.
 * @param samples SPSA-GC's directions per step.
 * @param promptBound The coordinator's prompt bound.
 * @param seed The seed.
 */
record BlackVipOptions(String data, int trainExamples, int testExamples, int[] channels, int hidden, int epochs,
                       int batchSize, double learningRate, double contrast, double brightness, int[] shots, int steps,
                       int promptBatch, double gain, double perturbation, int samples, double promptBound, long seed) {

    /** The option names, for the help text and errors. */
    static final List<String> NAMES = List.of("--data", "--train-examples", "--test-examples", "--channels", "--hidden",
            "--epochs", "--batch-size", "--lr", "--contrast", "--brightness", "--shots", "--steps", "--prompt-batch",
            "--gain", "--perturbation", "--samples", "--prompt-bound", "--seed");

    /**
     * The defaults.
     * @return The options.
     */
    static BlackVipOptions defaults() {
        return new BlackVipOptions("/usr/share/datasets/fashion-mnist", 6000, 1000, new int[] {8, 16}, 32, 2, 128, 0.002,
                0.6, 0.4, new int[] {1, 4, 16}, 150, 32, 0.003, 0.01, 5, 1.0, 1L);
    }

    /**
     * Parses {@code --name value} pairs over the defaults.
     * @param args The arguments.
     * @return The options.
     * @throws IllegalArgumentException naming an unknown option, a missing or malformed value, or an impossible one.
     */
    static BlackVipOptions parse(List<String> args) {
        BlackVipOptions o = defaults();
        String data = o.data;
        int trainExamples = o.trainExamples;
        int testExamples = o.testExamples;
        int[] channels = o.channels;
        int hidden = o.hidden;
        int epochs = o.epochs;
        int batchSize = o.batchSize;
        double learningRate = o.learningRate;
        double contrast = o.contrast;
        double brightness = o.brightness;
        int[] shots = o.shots;
        int steps = o.steps;
        int promptBatch = o.promptBatch;
        double gain = o.gain;
        double perturbation = o.perturbation;
        int samples = o.samples;
        double promptBound = o.promptBound;
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
                    case "--batch-size" -> batchSize = Integer.parseInt(value);
                    case "--lr" -> learningRate = Double.parseDouble(value);
                    case "--contrast" -> contrast = Double.parseDouble(value);
                    case "--brightness" -> brightness = Double.parseDouble(value);
                    case "--shots" -> shots = Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
                    case "--steps" -> steps = Integer.parseInt(value);
                    case "--prompt-batch" -> promptBatch = Integer.parseInt(value);
                    case "--gain" -> gain = Double.parseDouble(value);
                    case "--perturbation" -> perturbation = Double.parseDouble(value);
                    case "--samples" -> samples = Integer.parseInt(value);
                    case "--prompt-bound" -> promptBound = Double.parseDouble(value);
                    case "--seed" -> seed = Long.parseLong(value);
                    default -> throw new IllegalArgumentException("unknown option " + name + " for --mode blackvip;"
                            + " options are " + NAMES);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("option " + name + " has a malformed value '" + value + "'", e);
            }
        }
        if (trainExamples < 10 || testExamples < 0 || hidden < 1 || epochs < 1 || batchSize < 2 || steps < 1
                || promptBatch < 1 || !(learningRate > 0) || !(contrast > 0) || !Double.isFinite(brightness)
                || shots.length == 0 || Arrays.stream(shots).anyMatch(k -> k < 1)) {
            throw new IllegalArgumentException("the CNN's training examples must be >= 10, test examples >= 0, the hidden "
                    + "width, epochs, steps and prompt batch >= 1, batch size >= 2, the learning rate and contrast > 0, "
                    + "the brightness finite and every shot count >= 1, found shots " + Arrays.toString(shots));
        }
        return new BlackVipOptions(data, trainExamples, testExamples, channels, hidden, epochs, batchSize, learningRate,
                contrast, brightness, shots, steps, promptBatch, gain, perturbation, samples, promptBound, seed);
    }
}
