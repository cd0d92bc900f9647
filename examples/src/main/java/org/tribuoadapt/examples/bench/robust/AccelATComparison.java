package org.tribuoadapt.examples.bench.robust;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import org.tribuo.Dataset;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.train.EpochSummary;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.core.train.SGDOptimiserFactory;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.robust.adversarial.AccelATSchedule;
import org.tribuoadapt.robust.adversarial.AdversarialObjective;
import org.tribuoadapt.robust.attack.AttackNorm;
import org.tribuoadapt.robust.attack.NetworkClassifier;
import org.tribuoadapt.robust.attack.pgd.PGDAttack;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code bench robust --mode accelat}: PGD adversarial training (Madry et al. 2018) with SGD (momentum 0.9) at a
 * fixed learning rate and with AccelAT's schedule (Nikfam et al. 2022, the authors' defaults) from the same rate,
 * same seed, same data and the same 10% validation split. After every epoch both runs are attacked with PGD on the test
 * subset; the result is how many epochs each run needs to reach the fixed run's final robust accuracy.
 */
final class AccelATComparison {

    /** The share of the training data held out for AccelAT's validation accuracy (and, for a fair race, in both runs). */
    private static final double VALIDATION_FRACTION = 0.1;

    private AccelATComparison() {}

    /**
     * Runs the comparison and prints one JSON object per epoch and run, then the summary.
     * @param o The options (the SGD learning rate is {@code --lr}, the epochs {@code --at-epochs}).
     * @param out Where the JSON lines go.
     * @throws Exception if the data cannot be read.
     */
    static void run(RobustBenchmarkOptions o, PrintStream out) throws Exception {
        Dataset<Label> train = RobustBenchmark.load(o.data(), "train", o.trainExamples());
        Dataset<Label> test = RobustBenchmark.load(o.data(), "t10k", o.testExamples());
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("measurement", "setup");
        setup.put("mode", "accelat");
        setup.put("trainExamples", train.size());
        setup.put("testExamples", test.size());
        setup.put("validationFraction", VALIDATION_FRACTION);
        setup.put("schedule", AccelATSchedule.withPaperDefaults().toString());
        setup.put("threads", DjlRuntime.intraOpThreads());
        setup.put("options", RobustBenchmark.describe(o));
        RobustBenchmark.emit(out, setup);
        CNNSpec spec = new CNNSpec(1, 28, 28, o.channels(), true, 2, new int[] {o.hidden()});
        TensorDataset attacked = TensorDataset.from(test, new FeatureTensorizer(train.getFeatureIDMap(), spec.inputShape()),
                train.getOutputIDInfo());
        PGDAttack evaluation = new PGDAttack(AttackNorm.LINF, o.epsilon(), o.evalSteps());

        double[] fixed = race("fixed", null, spec, train, attacked, evaluation, o, out);
        double[] accelat = race("accelat", AccelATSchedule.withPaperDefaults(), spec, train, attacked, evaluation, o, out);

        double target = fixed[fixed.length - 1];
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("measurement", "accelat-summary");
        summary.put("targetRobustAccuracy", target);
        summary.put("fixedEpochsToTarget", firstReaching(fixed, target));
        summary.put("accelatEpochsToTarget", firstReaching(accelat, target));
        summary.put("fixedFinalRobustAccuracy", target);
        summary.put("accelatFinalRobustAccuracy", accelat[accelat.length - 1]);
        summary.put("rule", "epochs until PGD robust accuracy on the test subset first reaches the fixed-rate run's final one");
        RobustBenchmark.emit(out, summary);
    }

    private static double[] race(String name, AccelATSchedule schedule, CNNSpec spec, Dataset<Label> train,
                                 TensorDataset attacked, PGDAttack evaluation, RobustBenchmarkOptions o, PrintStream out)
            throws java.io.IOException {
        NetworkTrainer trainer = new NetworkTrainer(spec, new SGDOptimiserFactory(o.learningRate(), 0.9, false, 0.0),
                o.atEpochs(), o.batchSize(), o.seed(), 0.0, VALIDATION_FRACTION, o.atEpochs())
                .withObjective(new AdversarialObjective(new PGDAttack(AttackNorm.LINF, o.epsilon(), 0.0, o.atSteps(), true, 1)));
        if (schedule != null) {
            trainer.withLearningRateSchedule(schedule);
        }
        List<EpochSummary> epochs = new ArrayList<>();
        List<Double> robust = new ArrayList<>();
        trainer.setListener(new TrainingListener() {
            @Override
            public void onEpoch(EpochSummary summary, Network network) {
                epochs.add(summary);
                robust.add(robustAccuracy(network, attacked, evaluation, o.seed(), o.batchSize()));
            }
        });
        long start = System.nanoTime();
        NetworkModel model = trainer.train(train);
        RobustBenchmark.emit(out, RobustBenchmark.timing(name + "-pgd-at-training-with-per-epoch-attack", start));
        double[] accuracies = new double[robust.size()];
        for (int i = 0; i < accuracies.length; i++) {
            accuracies[i] = robust.get(i);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("measurement", "accelat-epoch");
            row.put("schedule", name);
            row.put("epoch", epochs.get(i).epoch());
            row.put("learningRate", epochs.get(i).learningRate());
            row.put("validationAccuracy", epochs.get(i).validationAccuracy());
            row.put("robustAccuracy", accuracies[i]);
            RobustBenchmark.emit(out, row);
        }
        if (schedule != null) {
            RobustBenchmark.emit(out, Map.<String, Object>of("measurement", "accelat-drops", "changes", model.getProvenance()
                    .getInstanceProvenance().getMap().get(NetworkProvenance.LEARNING_RATE_CHANGES).toString()));
        }
        return accuracies;
    }

    /** PGD robust accuracy of the network as the epoch left it (an example counts if its attacked input is right). */
    private static double robustAccuracy(Network network, TensorDataset data, PGDAttack attack, long seed, int batchSize) {
        SplittableRandom rng = new SplittableRandom(seed);
        long correct = 0;
        try (NetworkClassifier classifier = NetworkClassifier.borrow(network)) {
            for (int from = 0; from < data.size(); from += batchSize) {
                int[] indices = Evaluation.range(from, Math.min(data.size(), from + batchSize));
                try (NDManager batch = network.manager().newSubManager(); NDScope ignored = new NDScope()) {
                    NDArray inputs = data.features(batch, indices);
                    NDArray labels = data.labels(batch, indices);
                    NDArray adversarial = attack.perturb(classifier, inputs, labels, rng);
                    try (GradientMode off = GradientMode.disabled()) {
                        correct += classifier.logits(adversarial).argMax(1).eq(labels).sum().getLong();
                    }
                }
            }
        }
        return (double) correct / data.size();
    }

    private static Integer firstReaching(double[] accuracies, double target) {
        for (int i = 0; i < accuracies.length; i++) {
            if (accuracies[i] >= target) {
                return i + 1;
            }
        }
        return null;
    }
}
