package org.tribuoadapt.examples.bench.robust;

import java.util.Arrays;
import java.util.List;

/**
 * The options of {@code bench robust --mode distil}. The defaults train on a balanced 6,000-image subset of
 * Fashion-MNIST's training images and evaluate on a balanced 500-image subset of its test images, sized to finish in a
 * few minutes on 2 shared cores.
 *
 * @param data The folder with the four Fashion-MNIST IDX files.
 * @param trainExamples Training examples (balanced, at most this many), 0 for all 60,000.
 * @param testExamples Test examples (balanced), 0 for all 10,000.
 * @param teacherChannels The small teacher CNN's conv channels.
 * @param teacherHidden The teacher's hidden width.
 * @param studentChannels The larger student CNN's conv channels.
 * @param studentHidden The student's hidden width.
 * @param epochs Epochs of the student's standard pre-training.
 * @param teacherEpochs Epochs of the teacher's PGD adversarial training.
 * @param tuneEpochs Epochs of every robustification of the student (distillation and full adversarial fine-tuning).
 * @param atSteps PGD steps of adversarial training (teacher and full fine-tuning).
 * @param epsilon The Linf budget of adversarial training and of the evaluation attack.
 * @param evalSteps PGD steps of the evaluation attack.
 * @param tunedLayers The student's layers the distillation tunes (and the LoRA adapter targets).
 * @param temperature The distillation temperature.
 * @param distillationWeight The weight of the distillation term.
 * @param noiseStd The Gaussian noise on the distillation inputs.
 * @param loraRank The LoRA adapter's rank, 0 to skip the adapter student.
 * @param corruptions The corruptions of the corrupted accuracy.
 * @param severity Their severity, 1 to 5.
 * @param batchSize Minibatch size.
 * @param learningRate Adam's learning rate.
 * @param seed The seed.
 */
record DistillationOptions(String data, int trainExamples, int testExamples, int[] teacherChannels, int teacherHidden,
                           int[] studentChannels, int studentHidden, int epochs, int teacherEpochs, int tuneEpochs,
                           int atSteps, double epsilon, int evalSteps, List<String> tunedLayers, double temperature,
                           double distillationWeight, double noiseStd, int loraRank, List<String> corruptions,
                           int severity, int batchSize, double learningRate, long seed) {

    /** The option names, for the help text and errors. */
    static final List<String> NAMES = List.of("--data", "--train-examples", "--test-examples", "--teacher-channels",
            "--teacher-hidden", "--student-channels", "--student-hidden", "--epochs", "--teacher-epochs",
            "--tune-epochs", "--at-steps", "--epsilon", "--eval-steps", "--tuned-layers", "--temperature",
            "--distillation-weight", "--noise-std", "--lora-rank", "--corruptions", "--severity", "--batch-size", "--lr",
            "--seed");

    /**
     * The defaults.
     * @return The options.
     */
    static DistillationOptions defaults() {
        return new DistillationOptions("/usr/share/datasets/fashion-mnist", 6000, 500, new int[] {8, 16}, 32,
                new int[] {16, 32, 64}, 128, 3, 3, 2, 3, 0.1, 10, List.of("conv1", "bn1", "conv2", "bn2", "head"), 2.0,
                0.9, 0.1, 4, List.of("gaussian_noise", "shot_noise", "impulse_noise", "defocus_blur", "motion_blur",
                "contrast", "pixelate", "jpeg_compression"), 3, 128, 0.002, 1L);
    }

    /**
     * Parses {@code --name value} pairs over the defaults.
     * @param args The arguments.
     * @return The options.
     * @throws IllegalArgumentException naming an unknown option, a missing or malformed value.
     */
    static DistillationOptions parse(List<String> args) {
        DistillationOptions o = defaults();
        String data = o.data;
        int trainExamples = o.trainExamples;
        int testExamples = o.testExamples;
        int[] teacherChannels = o.teacherChannels;
        int teacherHidden = o.teacherHidden;
        int[] studentChannels = o.studentChannels;
        int studentHidden = o.studentHidden;
        int epochs = o.epochs;
        int teacherEpochs = o.teacherEpochs;
        int tuneEpochs = o.tuneEpochs;
        int atSteps = o.atSteps;
        double epsilon = o.epsilon;
        int evalSteps = o.evalSteps;
        List<String> tunedLayers = o.tunedLayers;
        double temperature = o.temperature;
        double distillationWeight = o.distillationWeight;
        double noiseStd = o.noiseStd;
        int loraRank = o.loraRank;
        List<String> corruptions = o.corruptions;
        int severity = o.severity;
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
                    case "--teacher-channels" -> teacherChannels = ints(value);
                    case "--teacher-hidden" -> teacherHidden = Integer.parseInt(value);
                    case "--student-channels" -> studentChannels = ints(value);
                    case "--student-hidden" -> studentHidden = Integer.parseInt(value);
                    case "--epochs" -> epochs = Integer.parseInt(value);
                    case "--teacher-epochs" -> teacherEpochs = Integer.parseInt(value);
                    case "--tune-epochs" -> tuneEpochs = Integer.parseInt(value);
                    case "--at-steps" -> atSteps = Integer.parseInt(value);
                    case "--epsilon" -> epsilon = Double.parseDouble(value);
                    case "--eval-steps" -> evalSteps = Integer.parseInt(value);
                    case "--tuned-layers" -> tunedLayers = List.of(value.split(","));
                    case "--temperature" -> temperature = Double.parseDouble(value);
                    case "--distillation-weight" -> distillationWeight = Double.parseDouble(value);
                    case "--noise-std" -> noiseStd = Double.parseDouble(value);
                    case "--lora-rank" -> loraRank = Integer.parseInt(value);
                    case "--corruptions" -> corruptions = List.of(value.split(","));
                    case "--severity" -> severity = Integer.parseInt(value);
                    case "--batch-size" -> batchSize = Integer.parseInt(value);
                    case "--lr" -> learningRate = Double.parseDouble(value);
                    case "--seed" -> seed = Long.parseLong(value);
                    default -> throw new IllegalArgumentException("unknown option " + name + "; options are " + NAMES);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("option " + name + " has a malformed value '" + value + "'", e);
            }
        }
        if (trainExamples < 0 || testExamples < 0 || epochs < 1 || teacherEpochs < 1 || tuneEpochs < 1 || atSteps < 1
                || evalSteps < 1 || loraRank < 0 || batchSize < 2 || !(epsilon >= 0) || !(learningRate > 0)) {
            throw new IllegalArgumentException("example counts must be >= 0, epochs and steps >= 1, the LoRA rank >= 0, "
                    + "batch size >= 2, epsilon >= 0 and the learning rate > 0");
        }
        return new DistillationOptions(data, trainExamples, testExamples, teacherChannels, teacherHidden, studentChannels,
                studentHidden, epochs, teacherEpochs, tuneEpochs, atSteps, epsilon, evalSteps, tunedLayers, temperature,
                distillationWeight, noiseStd, loraRank, corruptions, severity, batchSize, learningRate, seed);
    }

    private static int[] ints(String value) {
        return Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
    }
}
