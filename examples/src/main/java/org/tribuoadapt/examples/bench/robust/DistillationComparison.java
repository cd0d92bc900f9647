package org.tribuoadapt.examples.bench.robust;

import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.LongProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import org.tribuo.Dataset;
import org.tribuo.classification.Label;
import org.tribuo.provenance.ModelProvenance;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.safetensors.SafetensorsWriter;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.TrainingHistory;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.core.train.TrainingLoop;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.TrainableSummary;
import org.tribuoadapt.peft.lora.LoraSpec;
import org.tribuoadapt.robust.adversarial.AdversarialObjective;
import org.tribuoadapt.robust.attack.AttackNorm;
import org.tribuoadapt.robust.attack.pgd.PGDAttack;
import org.tribuoadapt.robust.distillation.DistillationBatchObjective;
import org.tribuoadapt.robust.distillation.DistillationLoss;
import org.tribuoadapt.robust.distillation.RobustDistillationTrainer;
import org.tribuoadapt.robust.evaluation.RobustnessEvaluation;
import org.tribuoadapt.robust.evaluation.RobustnessEvaluator;
import org.tribuoadapt.tta.evaluation.TtaEvaluator;
import org.tribuoadapt.tta.method.source.SourceOnly;
import org.tribuoadapt.tta.scenario.CorruptionScenario;
import org.tribuoadapt.tta.scenario.StreamMode;

import java.io.PrintStream;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code bench robust --mode distil}: "Efficiently Robustify Pre-trained Models" (Jain et al. 2023) on Fashion-MNIST.
 * A small CNN teacher is made robust by PGD adversarial training (Madry et al. 2018); a larger CNN student, pre-trained
 * by plain cross-entropy, is then robustified three ways from the same start: distillation from the teacher into
 * selected layers ({@link RobustDistillationTrainer}), the same distillation into a LoRA adapter on those layers
 * (tribuo-peft, merged into the student for evaluation), and full PGD adversarial fine-tuning of every weight, the
 * costly reference. Each model is evaluated for clean accuracy, accuracy under the common corruptions of tribuo-tta
 * (through its {@link TtaEvaluator}, no adaptation) and robust accuracy under PGD; each robustification reports its
 * wall seconds, optimiser steps and backward passes (an adversarial-training step runs one backward pass per attack
 * step plus the update's; the distillation's cost includes the teacher's adversarial training).
 */
final class DistillationComparison {

    private static final String ADAPTER = "distil";

    private DistillationComparison() {}

    /**
     * Runs the comparison and prints one JSON object per model, then the summary.
     * @param args The options ({@link DistillationOptions}).
     * @param out Where the JSON lines go.
     * @throws Exception if the data cannot be read.
     */
    static void run(List<String> args, PrintStream out) throws Exception {
        DistillationOptions o = DistillationOptions.parse(args);
        Dataset<Label> train = RobustBenchmark.load(o.data(), "train", o.trainExamples());
        Dataset<Label> test = RobustBenchmark.load(o.data(), "t10k", o.testExamples());
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("measurement", "setup");
        setup.put("mode", "distil");
        setup.put("trainExamples", train.size());
        setup.put("testExamples", test.size());
        setup.put("threads", DjlRuntime.intraOpThreads());
        setup.put("options", describe(o));
        RobustBenchmark.emit(out, setup);
        CNNSpec teacherSpec = new CNNSpec(1, 28, 28, o.teacherChannels(), true, 2, new int[] {o.teacherHidden()});
        CNNSpec studentSpec = new CNNSpec(1, 28, 28, o.studentChannels(), true, 2, new int[] {o.studentHidden()});
        PGDAttack trainingAttack = new PGDAttack(AttackNorm.LINF, o.epsilon(), 0.0, o.atSteps(), true, 1);
        Evaluation evaluation = new Evaluation(test, o);

        long start = System.nanoTime();
        NetworkModel student = new NetworkTrainer(studentSpec, new AdamOptimiserFactory(o.learningRate()), o.epochs(),
                o.batchSize(), o.seed()).train(train);
        RobustBenchmark.emit(out, RobustBenchmark.timing("student-pre-training", start));
        RobustBenchmark.emit(out, evaluation.row("pretrained-student", student, null));

        start = System.nanoTime();
        NetworkModel teacher = new NetworkTrainer(teacherSpec, new AdamOptimiserFactory(o.learningRate()),
                o.teacherEpochs(), o.batchSize(), o.seed()).withObjective(new AdversarialObjective(trainingAttack))
                .train(train);
        Cost teacherCost = Cost.adversarial(seconds(start), teacher, o.atSteps(), count(teacher));
        RobustBenchmark.emit(out, evaluation.row("pgd-at-teacher", teacher, teacherCost));

        start = System.nanoTime();
        NetworkModel distilled = new RobustDistillationTrainer(o.tunedLayers(), new int[0], o.temperature(),
                o.distillationWeight(), o.noiseStd(), new AdamOptimiserFactory(o.learningRate()), o.tuneEpochs(),
                o.batchSize(), o.seed()).train(train, teacher, student);
        long tuned = ((LongProvenance) distilled.getProvenance().getInstanceProvenance().getMap()
                .get(RobustDistillationTrainer.TUNED_VALUES)).getValue();
        Cost distilCost = Cost.distillation(seconds(start), distilled, tuned, teacherCost);
        RobustBenchmark.emit(out, evaluation.row("distilled-selected-layers", distilled, distilCost));

        Cost loraCost = null;
        if (o.loraRank() > 0) {
            start = System.nanoTime();
            LoraStudent lora = distilIntoLora(o, train, teacher, student, studentSpec);
            loraCost = Cost.distillation(seconds(start), lora.model(), lora.trainable().trainable(), teacherCost);
            RobustBenchmark.emit(out, evaluation.row("distilled-lora-adapter", lora.model(), loraCost));
        }

        start = System.nanoTime();
        NetworkModel fullAt = new NetworkTrainer(studentSpec, new AdamOptimiserFactory(o.learningRate()), o.tuneEpochs(),
                o.batchSize(), o.seed()).withObjective(new AdversarialObjective(trainingAttack))
                .fineTune(train, student, Map.of());
        Cost fullCost = Cost.adversarial(seconds(start), fullAt, o.atSteps(), count(fullAt));
        RobustBenchmark.emit(out, evaluation.row("full-adversarial-fine-tuning", fullAt, fullCost));

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("measurement", "distil-summary");
        summary.put("selectedLayersSecondsRatio", distilCost.totalSeconds() / fullCost.totalSeconds());
        // backward passes through the student only: the teacher's are through a much smaller network
        summary.put("selectedLayersStudentBackwardPassRatio",
                (double) distilCost.backwardPasses() / fullCost.backwardPasses());
        if (loraCost != null) {
            summary.put("loraSecondsRatio", loraCost.totalSeconds() / fullCost.totalSeconds());
        }
        summary.put("rule", "seconds: the distillation's, teacher's adversarial training included, over full "
                + "adversarial fine-tuning of the student for the same epochs; backward passes: through the student");
        RobustBenchmark.emit(out, summary);
    }

    /** The distillation into a LoRA adapter, merged into the student's weights for evaluation. */
    private record LoraStudent(NetworkModel model, TrainableSummary trainable) {}

    /**
     * Distils the teacher into a LoRA adapter on the tuned layers that hold weight matrices or convolutions (LoRA
     * does not adapt BatchNorm), with the same loss and inputs as the selected-layers mode.
     */
    private static LoraStudent distilIntoLora(DistillationOptions o, Dataset<Label> train, NetworkModel teacher,
                                              NetworkModel student, CNNSpec spec) {
        SplittableRandom rng = new SplittableRandom(o.seed());
        List<String> targets = o.tunedLayers().stream().filter(name -> !name.startsWith("bn")).toList();
        LoraSpec lora = new LoraSpec(new AdapterTargets(targets, null, List.of(), List.of()), o.loraRank(),
                2.0 * o.loraRank());
        TensorDataset data = TensorDataset.from(train, student.tensorizer(), student.getOutputIDInfo());
        try (PeftNetwork peft = PeftNetwork.wrap(student.newNetwork())) {
            peft.addAdapter(ADAPTER, lora, student.getOutputIDInfo().size(), rng.nextLong());
            peft.setActiveAdapters(List.of(ADAPTER));
            peft.setTrainable(ADAPTER);
            DjlRuntime.seedNativeRandom(rng.nextLong());
            DistillationBatchObjective objective = DistillationBatchObjective.of(teacher, student,
                    new DistillationLoss(o.temperature(), o.distillationWeight()), o.noiseStd(), rng.split());
            TrainingHistory history = peft.train(ADAPTER, new TrainingLoop(o.tuneEpochs(), o.batchSize(), 0.0,
                    o.tuneEpochs()), new AdamOptimiserFactory(o.learningRate()), data, null, objective, rng,
                    TrainingListener.NONE);
            TrainableSummary trainable = peft.trainableSummary();
            byte[] weights = SafetensorsWriter.toBytes(peft.mergedStateDict(), Map.of("format", "pt"));
            Map<String, Provenance> run = new LinkedHashMap<>();
            run.put(RobustDistillationTrainer.TEACHER, teacher.getProvenance());
            run.put(RobustDistillationTrainer.STUDENT, student.getProvenance());
            run.put("merged-adapter", new StringProvenance("merged-adapter", lora.toString()));
            ModelProvenance provenance = new ModelProvenance(NetworkModel.class.getName(), OffsetDateTime.now(),
                    train.getProvenance(), student.getProvenance().getTrainerProvenance(), run);
            return new LoraStudent(new NetworkModel("lora-distilled-student", provenance, student.getFeatureIDMap(),
                    student.getOutputIDInfo(), spec, weights, history), trainable);
        }
    }

    /**
     * What a robustification cost.
     * @param seconds Wall seconds of this step.
     * @param steps Optimiser steps of this step.
     * @param backwardPasses Backward passes of this step (attack steps included).
     * @param trainableValues Values the step trains.
     * @param prerequisite The cost of a model this step needs (the teacher), or null.
     */
    private record Cost(double seconds, int steps, long backwardPasses, long trainableValues, Cost prerequisite) {

        static Cost adversarial(double seconds, NetworkModel model, int attackSteps, long values) {
            int steps = model.history().orElseThrow().steps();
            return new Cost(seconds, steps, (long) steps * (attackSteps + 1), values, null);
        }

        static Cost distillation(double seconds, NetworkModel model, long values, Cost teacher) {
            int steps = model.history().orElseThrow().steps();
            return new Cost(seconds, steps, steps, values, teacher);
        }

        double totalSeconds() {
            return seconds + (prerequisite == null ? 0 : prerequisite.totalSeconds());
        }

        long totalBackwardPasses() {
            return backwardPasses + (prerequisite == null ? 0 : prerequisite.totalBackwardPasses());
        }
    }

    /** The clean, corrupted and PGD evaluations every model gets. */
    private static final class Evaluation {
        private final Dataset<Label> test;
        private final RobustnessEvaluator pgd;
        private final TtaEvaluator corrupted;

        Evaluation(Dataset<Label> test, DistillationOptions o) {
            this.test = test;
            this.pgd = new RobustnessEvaluator(List.of(new PGDAttack(AttackNorm.LINF, o.epsilon(), o.evalSteps())),
                    o.seed());
            this.corrupted = new TtaEvaluator(new CorruptionScenario(o.corruptions(), List.of(o.severity()),
                    StreamMode.RESET, o.batchSize(), 0.0, 0, o.seed()));
        }

        Map<String, Object> row(String name, NetworkModel model, Cost cost) {
            RobustnessEvaluation attacked = pgd.evaluate(model, test);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("measurement", "distil-accuracy");
            m.put("model", name);
            m.put("cleanAccuracy", attacked.cleanAccuracy());
            m.put("corruptedAccuracy", corrupted.evaluate(model, test, null, new SourceOnly()).accuracy());
            m.put("pgdAccuracy", attacked.outcomes().get(0).accuracy());
            m.put("attack", attacked.outcomes().get(0).attack());
            m.put("weights", count(model));
            if (cost != null) {
                m.put("trainableValues", cost.trainableValues());
                m.put("seconds", cost.seconds());
                m.put("steps", cost.steps());
                m.put("backwardPasses", cost.backwardPasses());
                m.put("totalSeconds", cost.totalSeconds());
                m.put("totalBackwardPasses", cost.totalBackwardPasses());
            }
            return m;
        }
    }

    /** The number of weight values (not BatchNorm statistics) of a model's network. */
    private static long count(NetworkModel model) {
        try (Network network = model.newNetwork()) {
            return network.countWeights(false);
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static Map<String, Object> describe(DistillationOptions o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("teacherChannels", o.teacherChannels());
        m.put("teacherHidden", o.teacherHidden());
        m.put("studentChannels", o.studentChannels());
        m.put("studentHidden", o.studentHidden());
        m.put("epochs", o.epochs());
        m.put("teacherEpochs", o.teacherEpochs());
        m.put("tuneEpochs", o.tuneEpochs());
        m.put("atSteps", o.atSteps());
        m.put("epsilon", o.epsilon());
        m.put("evalSteps", o.evalSteps());
        m.put("tunedLayers", o.tunedLayers());
        m.put("temperature", o.temperature());
        m.put("distillationWeight", o.distillationWeight());
        m.put("noiseStd", o.noiseStd());
        m.put("loraRank", o.loraRank());
        m.put("corruptions", o.corruptions());
        m.put("severity", o.severity());
        m.put("batchSize", o.batchSize());
        m.put("learningRate", o.learningRate());
        m.put("seed", o.seed());
        return m;
    }
}
