package org.tribuoadapt.examples.bench.robust;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.tribuo.Dataset;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.dataset.DatasetView;
import org.tribuoadapt.core.data.IDXImageDataSource;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.examples.bench.core.BenchmarkCommand;
import org.tribuoadapt.robust.adversarial.AdversarialObjective;
import org.tribuoadapt.robust.attack.apgd.APGDAttack;
import org.tribuoadapt.robust.attack.AttackNorm;
import org.tribuoadapt.robust.attack.GradientAttack;
import org.tribuoadapt.robust.attack.apgdt.APGDTargetedAttack;
import org.tribuoadapt.robust.attack.autoattack.AutoAttack;
import org.tribuoadapt.robust.attack.pgd.PGDAttack;
import org.tribuoadapt.robust.attack.square.SquareAttack;
import org.tribuoadapt.robust.evaluation.AlphaCurve;
import org.tribuoadapt.robust.evaluation.AttackOutcome;
import org.tribuoadapt.robust.evaluation.RobustnessEvaluation;
import org.tribuoadapt.robust.evaluation.RobustnessEvaluator;
import org.tribuoadapt.robust.smoothing.MixingNetworkModel;
import org.tribuoadapt.robust.smoothing.MixingNetworkSpec;
import org.tribuoadapt.robust.smoothing.MixingNetworkTrainer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench robust}: the adaptive-smoothing claim of Bai et al. (2024) on Fashion-MNIST with a CNN and a Linf
 * budget (default 0.1). It trains a standard CNN and a PGD-AT CNN (Madry et al. 2018), evaluates both, fixed-alpha
 * mixtures over an alpha grid and a mixing-network mixture under PGD (default PGD-20) through the whole evaluated
 * model, checks the mixing-network model again with APGD-CE through the composite on a subset, and reports whether
 * the goal was met: the mixture's clean accuracy within 2 points of the standard model's while keeping at least 90%
 * of the PGD-AT model's robust accuracy. One JSON object is printed per measurement.
 * <p>
 * {@code --mode label-noise} (first option) runs {@link LabelNoiseBenchmark} instead: cross-entropy, LDR-KL and
 * ALDR-KL under symmetric label noise.
 * {@code --mode autoattack} evaluates the standard, PGD-AT and fixed-alpha models and three mixing networks (the simple
 * and the paper's variant against PGD, the paper's variant on APGD-CE plus APGD-T copies) with AutoAttack (Croce and
 * Hein 2020) on a stratified test subset, reporting every stage and a gradient-masking indicator.
 * {@code --mode accelat} compares AccelAT's learning-rate schedule with a fixed rate in PGD adversarial
 * training ({@link AccelATComparison}), and {@code --mode crops} compares robust inference by crop selection with
 * plain inference under small translations and rescalings ({@link CropSelectionComparison}), {@code --mode distil}
 * (first option) distils a robust teacher into a fraction of a pre-trained student and compares it with full
 * adversarial fine-tuning ({@link DistillationComparison}), and {@code --mode blackvip} runs {@link BlackVipTransfer}:
 * few-shot BlackVIP prompting (Oh et al. 2023) of a frozen black-box CNN on shifted images, with its own options
 * ({@link BlackVipOptions}). {@code --mode signatures} compares robust weight signatures with task arithmetic on
 * corrupted images ({@link SignatureComparison}).
 */
public final class RobustBenchmark implements BenchmarkCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return "robust";
    }

    @Override
    public String description() {
        return "standard vs PGD-AT vs adaptive smoothing on Fashion-MNIST under PGD; --mode autoattack: the same models "
                + "under AutoAttack; --mode accelat: AccelAT vs a fixed "
                + "rate in PGD-AT; --mode crops: crop selection vs plain inference under small shifts (options: --mode "
                + String.join(" ", RobustBenchmarkOptions.NAMES) + "); --mode label-noise: CE vs LDR-KL vs ALDR-KL"
                + " under symmetric label noise (options: " + String.join(" ", LabelNoiseOptions.NAMES) + "); --mode distil:"
                + " a PGD-AT teacher distilled into selected layers or a LoRA adapter of a pre-trained student vs full"
                + " adversarial fine-tuning (options: " + String.join(" ", DistillationOptions.NAMES) + "); --mode blackvip:"
                + " few-shot BlackVIP prompting of a black-box CNN on shifted images (options: "
                + String.join(" ", BlackVipOptions.NAMES) + "); --mode signatures: robust weight signatures against"
                + " task arithmetic on noisy and blurred images (options: " + String.join(" ", SignatureComparison.names())
                + ")";
    }

    @Override
    public void run(List<String> args, PrintStream out) throws Exception {
        String mode = "smoothing";
        List<String> rest = new ArrayList<>(args);
        int at = rest.indexOf("--mode");
        if (at >= 0) {
            if (at + 1 >= rest.size()) {
                throw new IllegalArgumentException("option --mode needs a value: smoothing, autoattack, accelat, crops, "
                        + "label-noise, distil, blackvip or signatures");
            }
            mode = rest.get(at + 1);
            rest.subList(at, at + 2).clear();
        }
        if (mode.equals("label-noise")) {
            LabelNoiseBenchmark.run(rest, out);
            return;
        }
        if (mode.equals("distil")) {
            DistillationComparison.run(rest, out);
            return;
        }
        if (mode.equals("blackvip")) {
            BlackVipTransfer.run(rest, out);
            return;
        }
        if (mode.equals("signatures")) {
            SignatureComparison.run(rest, out);
            return;
        }
        RobustBenchmarkOptions o = RobustBenchmarkOptions.parse(rest, mode.equals("autoattack")
                ? RobustBenchmarkOptions.autoAttackDefaults() : RobustBenchmarkOptions.defaults());
        switch (mode) {
            case "smoothing" -> adaptiveSmoothing(o, out);
            case "autoattack" -> autoAttack(o, out);
            case "accelat" -> AccelATComparison.run(o, out);
            case "crops" -> CropSelectionComparison.run(o, out);
            default -> throw new IllegalArgumentException("unknown --mode " + mode
                    + "; modes are smoothing, autoattack, accelat, crops, label-noise, distil, blackvip, signatures");
        }
    }

    private static void adaptiveSmoothing(RobustBenchmarkOptions o, PrintStream out) throws Exception {
        Dataset<Label> train = load(o.data(), "train", o.trainExamples());
        Dataset<Label> test = load(o.data(), "t10k", o.testExamples());
        emit(out, Map.of("measurement", "setup", "trainExamples", train.size(), "testExamples", test.size(),
                "epsilon", o.epsilon(), "threads", DjlRuntime.intraOpThreads(), "options", describe(o)));
        Bases bases = trainBases(o, train, out);
        NetworkModel standard = bases.standard();
        NetworkModel robust = bases.robust();

        RobustnessEvaluator evaluator = new RobustnessEvaluator(
                List.of(new PGDAttack(AttackNorm.LINF, o.epsilon(), o.evalSteps())), o.seed());
        AlphaCurve curve = evaluator.alphaCurve(standard, robust, o.alphas(), 1.0, 1.0, test);
        double standardClean = Double.NaN;
        double robustAttacked = Double.NaN;
        for (int i = 0; i < o.alphas().length; i++) {
            double alpha = o.alphas()[i];
            RobustnessEvaluation e = curve.evaluations().get(i);
            emit(out, measurement(curveModel(alpha), alpha, e));
            if (alpha == 0) {
                standardClean = e.cleanAccuracy();
            } else if (alpha == 1) {
                robustAttacked = e.outcomes().get(0).accuracy();
            }
        }

        MixingNetworkModel mixed = trainMixingNetwork(o, train, standard, robust, simpleMixingNetwork(), null,
                "mixing-network", out);
        RobustnessEvaluation mixedEvaluation = evaluator.evaluate(mixed, test);
        emit(out, measurement("mixing-network", Double.NaN, mixedEvaluation));
        double mixedAttacked = mixedEvaluation.outcomes().get(0).accuracy();
        if (o.apgdSteps() > 0) {
            Dataset<Label> subset = new DatasetView<>(test, Evaluation.range(0, Math.min(test.size(), o.apgdExamples())),
                    "first-" + o.apgdExamples());
            RobustnessEvaluator apgd = new RobustnessEvaluator(
                    List.of(new APGDAttack(AttackNorm.LINF, o.epsilon(), o.apgdSteps())), o.seed());
            RobustnessEvaluation check = apgd.evaluate(mixed, subset);
            emit(out, measurement("mixing-network-apgd-check", Double.NaN, check));
            RobustnessEvaluation pgdOnSubset = evaluator.evaluate(mixed, subset);
            emit(out, measurement("mixing-network-pgd-same-subset", Double.NaN, pgdOnSubset));
        }

        Map<String, Object> goal = new LinkedHashMap<>();
        goal.put("measurement", "goal");
        goal.put("standardClean", standardClean);
        goal.put("pgdAtRobust", robustAttacked);
        goal.put("mixedClean", mixedEvaluation.cleanAccuracy());
        goal.put("mixedRobustCompositeAttack", mixedAttacked);
        goal.put("cleanGapPoints", 100 * (standardClean - mixedEvaluation.cleanAccuracy()));
        goal.put("robustRetention", robustAttacked > 0 ? mixedAttacked / robustAttacked : Double.NaN);
        goal.put("met", standardClean - mixedEvaluation.cleanAccuracy() <= 0.02 && mixedAttacked >= 0.9 * robustAttacked);
        goal.put("rule", "mixed clean within 2 points of standard and mixed robust >= 90% of PGD-AT robust,"
                + " robust accuracy under PGD through the whole composite model");
        emit(out, goal);
    }

    /**
     * {@code --mode autoattack}: trains the models of the smoothing mode (standard, PGD-AT, the fixed-alpha mixtures of
     * {@code --alphas}) and three mixing networks over the same bases: the {@link MixingNetworkSpec.Variant#SIMPLE}
     * variant against PGD ({@code mixing-network}, as the smoothing mode), the {@link MixingNetworkSpec.Variant#PAPER}
     * variant reading two robust feature levels against PGD ({@code mixing-network-paper}), and the paper's variant on
     * the paper's APGD-CE plus APGD-T copies ({@code mixing-network-paper-apgd}, Bai et al. 2024). Each is evaluated
     * with AutoAttack (Croce and Hein 2020) at the benchmark's Linf budget on a stratified test subset ({@code
     * --test-examples} / 10 images of each class), the mixtures attacked as whole composite models. Each line reports
     * the robust accuracy after every stage and how many points the black-box Square stage broke that the three
     * gradient stages did not, an indicator of gradient masking.
     */
    private static void autoAttack(RobustBenchmarkOptions o, PrintStream out) throws Exception {
        Dataset<Label> train = load(o.data(), "train", o.trainExamples());
        Dataset<Label> test = load(o.data(), "t10k", o.testExamples());
        int classes = train.getOutputIDInfo().size();
        if (classes < 4) {
            throw new IllegalArgumentException("AutoAttack needs at least 4 classes (APGD-T's DLR loss), but the "
                    + "training data has " + classes);
        }
        emit(out, Map.of("measurement", "setup", "mode", "autoattack", "trainExamples", train.size(),
                "testExamples", test.size(), "epsilon", o.epsilon(), "threads", DjlRuntime.intraOpThreads(),
                "options", describe(o)));
        Bases bases = trainBases(o, train, out);
        AutoAttack attack = new AutoAttack(AttackNorm.LINF, o.epsilon(), o.autoAttackSteps(), o.autoAttackTargets(),
                o.autoAttackQueries(), 1);
        RobustnessEvaluator evaluator = new RobustnessEvaluator(List.of(attack), o.seed());
        AlphaCurve curve = evaluator.alphaCurve(bases.standard(), bases.robust(), o.alphas(), 1.0, 1.0, test);
        for (int i = 0; i < o.alphas().length; i++) {
            double alpha = o.alphas()[i];
            emit(out, measurement(curveModel(alpha), alpha, curve.evaluations().get(i)));
        }
        MixingNetworkModel simple = trainMixingNetwork(o, train, bases.standard(), bases.robust(), simpleMixingNetwork(),
                null, "mixing-network", out);
        emit(out, measurement("mixing-network", Double.NaN, evaluator.evaluate(simple, test)));
        MixingNetworkModel paper = trainMixingNetwork(o, train, bases.standard(), bases.robust(), paperMixingNetwork(),
                null, "mixing-network-paper", out);
        emit(out, measurement("mixing-network-paper", Double.NaN, evaluator.evaluate(paper, test)));
        MixingNetworkModel paperApgd = trainMixingNetwork(o, train, bases.standard(), bases.robust(),
                paperMixingNetwork(), new APGDTargetedAttack(AttackNorm.LINF, o.epsilon(), o.mixingSteps(),
                        o.mixingTargets()), "mixing-network-paper-apgd", out);
        emit(out, measurement("mixing-network-paper-apgd", Double.NaN, evaluator.evaluate(paperApgd, test)));
    }

    /** The simple mixing network: one feature level of each base, alpha = sigmoid(gamma). */
    private static MixingNetworkSpec simpleMixingNetwork() {
        return new MixingNetworkSpec("pool1", "pool1", 16, 32);
    }

    /**
     * The paper's mixing network (Bai et al. 2024): two feature levels of the robust base, the BatchNorm and clamp on
     * gamma, and the paper's scales, biases and evaluation range of alpha.
     */
    private static MixingNetworkSpec paperMixingNetwork() {
        return new MixingNetworkSpec("pool1", "pool1", 16, 32, MixingNetworkSpec.Variant.PAPER)
                .withRobustSecondLayer("pool2");
    }

    /** The name of the model a point of the alpha curve evaluates. */
    private static String curveModel(double alpha) {
        return alpha == 0 ? "standard" : alpha == 1 ? "pgd-at" : "fixed-alpha";
    }

    /** The two base models of adaptive smoothing. */
    private record Bases(NetworkModel standard, NetworkModel robust) {}

    /** Trains the standard CNN and the PGD-AT CNN (Madry et al. 2018), printing the time each took. */
    private static Bases trainBases(RobustBenchmarkOptions o, Dataset<Label> train, PrintStream out) throws Exception {
        CNNSpec spec = new CNNSpec(1, 28, 28, o.channels(), true, 2, new int[] {o.hidden()});

        long start = System.nanoTime();
        NetworkModel standard = new NetworkTrainer(spec, new AdamOptimiserFactory(o.learningRate()), o.epochs(),
                o.batchSize(), o.seed()).train(train);
        emit(out, timing("standard-training", start));

        start = System.nanoTime();
        PGDAttack trainingAttack = new PGDAttack(AttackNorm.LINF, o.epsilon(), 0.0, o.atSteps(), true, 1);
        NetworkModel robust = new NetworkTrainer(spec, new AdamOptimiserFactory(o.learningRate()), o.atEpochs(),
                o.batchSize(), o.seed()).withObjective(new AdversarialObjective(trainingAttack)).train(train);
        emit(out, timing("pgd-at-training", start));

        return new Bases(standard, robust);
    }

    /**
     * Trains a mixing network over the two bases through the composite, printing the time it took: against PGD, or,
     * given a targeted attack, on the paper's APGD-CE plus APGD-T copies.
     */
    private static MixingNetworkModel trainMixingNetwork(RobustBenchmarkOptions o, Dataset<Label> train,
                                                         NetworkModel standard, NetworkModel robust,
                                                         MixingNetworkSpec spec, APGDTargetedAttack targeted,
                                                         String name, PrintStream out) throws Exception {
        long start = System.nanoTime();
        Dataset<Label> mixingData = new DatasetView<>(train, Evaluation.range(0, Math.min(train.size(),
                o.mixingExamples())), "first-" + o.mixingExamples());
        GradientAttack untargeted = targeted == null
                ? new PGDAttack(AttackNorm.LINF, o.epsilon(), 0.0, o.mixingSteps(), true, 1)
                : new APGDAttack(AttackNorm.LINF, o.epsilon(), o.mixingSteps());
        MixingNetworkModel mixed = new MixingNetworkTrainer(standard, robust, spec, untargeted,
                new AdamOptimiserFactory(o.learningRate()), o.mixingEpochs(), o.batchSize(), o.seed())
                .withLossWeights(MixingNetworkTrainer.DEFAULT_BCE_WEIGHT, MixingNetworkTrainer.DEFAULT_CE_WEIGHT,
                        MixingNetworkTrainer.DEFAULT_PRODUCT_WEIGHT, o.mixingCleanWeight())
                .withTargetedCopies(targeted).train(mixingData);
        emit(out, timing(name + "-training", start));
        return mixed;
    }

    /** Reads a balanced subset (at most {@code examples}, 0 for all) of a Fashion-MNIST split from its IDX files. */
    static Dataset<Label> load(String folder, String prefix, int examples) throws java.io.IOException {
        Path dir = Path.of(folder);
        IDXImageDataSource source = new IDXImageDataSource(dir.resolve(prefix + "-images-idx3-ubyte.gz").toString(),
                dir.resolve(prefix + "-labels-idx1-ubyte.gz").toString(), Collections.emptyList(), Collections.emptyList(),
                examples == 0 ? 0 : Math.max(1, examples / 10));
        return new MutableDataset<>(source);
    }

    private static Map<String, Object> measurement(String model, double alpha, RobustnessEvaluation e) {
        AttackOutcome attack = e.outcomes().get(0);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("measurement", "accuracy");
        m.put("model", model);
        if (!Double.isNaN(alpha)) {
            m.put("alpha", alpha);
        }
        m.put("cleanAccuracy", e.cleanAccuracy());
        m.put("attack", attack.attack());
        m.put("epsilon", attack.epsilon());
        m.put("robustAccuracy", attack.accuracy());
        m.put("attackSuccessRate", attack.successRate());
        m.put("maxPerturbation", attack.maxPerturbation());
        m.put("examples", attack.examples());
        m.put("attackSeconds", attack.seconds());
        if (!attack.stages().isEmpty()) {
            List<Map<String, Object>> stages = new ArrayList<>();
            int blackBoxBroken = 0;
            for (AttackOutcome.StageOutcome stage : attack.stages()) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("attack", stage.attack());
                line.put("broken", stage.broken());
                line.put("robustAccuracy", stage.accuracy());
                stages.add(line);
                blackBoxBroken += stage.attack().startsWith(SquareAttack.NAME) ? stage.broken() : 0;
            }
            m.put("stages", stages);
            // Square only sees the points the gradient stages left robust: any it breaks hint at gradient masking
            m.put("brokenOnlyByBlackBox", blackBoxBroken);
            m.put("gradientMaskingSuspected", blackBoxBroken > 0);
        }
        return m;
    }

    static Map<String, Object> timing(String stage, long start) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("measurement", "time");
        m.put("stage", stage);
        m.put("seconds", (System.nanoTime() - start) / 1e9);
        return m;
    }

    static Map<String, Object> describe(RobustBenchmarkOptions o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("channels", o.channels());
        m.put("hidden", o.hidden());
        m.put("epochs", o.epochs());
        m.put("atEpochs", o.atEpochs());
        m.put("atSteps", o.atSteps());
        m.put("evalSteps", o.evalSteps());
        m.put("alphas", o.alphas());
        m.put("mixingExamples", o.mixingExamples());
        m.put("mixingEpochs", o.mixingEpochs());
        m.put("mixingSteps", o.mixingSteps());
        m.put("mixingCleanWeight", o.mixingCleanWeight());
        m.put("mixingTargets", o.mixingTargets());
        m.put("apgdSteps", o.apgdSteps());
        m.put("apgdExamples", o.apgdExamples());
        m.put("autoAttackSteps", o.autoAttackSteps());
        m.put("autoAttackTargets", o.autoAttackTargets());
        m.put("autoAttackQueries", o.autoAttackQueries());
        m.put("batchSize", o.batchSize());
        m.put("learningRate", o.learningRate());
        m.put("seed", o.seed());
        return m;
    }

    /** Prints one JSON object on a line. */
    static void emit(PrintStream out, Map<String, Object> line) throws java.io.IOException {
        out.println(JSON.writeValueAsString(line));
        out.flush();
    }
}
