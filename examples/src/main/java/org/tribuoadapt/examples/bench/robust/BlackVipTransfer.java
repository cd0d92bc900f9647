package org.tribuoadapt.examples.bench.robust;

import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.robust.blackvip.BlackVipModel;
import org.tribuoadapt.robust.blackvip.BlackVipTrainer;
import org.tribuoadapt.robust.blackvip.CoordinatorSpec;
import org.tribuoadapt.robust.blackvip.SpsaGcOptimiser;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench robust --mode blackvip}: few-shot transfer of a frozen black-box classifier to a shifted domain with
 * BlackVIP (Oh et al., CVPR 2023). A CNN trained on clean Fashion-MNIST is the black box: only its predictions are
 * used. The target domain is a contrast and brightness shift, {@code clip(contrast * x + brightness, 0, 1)} (by default
 * 0.6 and 0.4: a grey background and washed-out objects). For each shot count {@code k}, BlackVIP's coordinator is
 * trained by SPSA-GC on {@code k} shifted training images per class that the CNN never saw, and the shifted test
 * images are classified with and without the prompt. Every black-box query of training is counted.
 */
final class BlackVipTransfer {

    private static final int SIDE = 28;
    private static final int CLASSES = 10;

    private BlackVipTransfer() {}

    /**
     * Runs the comparison and prints one JSON object per measurement.
     * @param args The options of {@link BlackVipOptions}.
     * @param out Where the JSON lines go.
     * @throws Exception if the data cannot be read.
     */
    static void run(List<String> args, PrintStream out) throws Exception {
        BlackVipOptions o = BlackVipOptions.parse(args);
        int maxShots = java.util.Arrays.stream(o.shots()).max().orElseThrow();
        int sourcePerClass = o.trainExamples() / CLASSES;
        // the first sourcePerClass images of each class train the CNN, the next maxShots are the shots' pool
        Dataset<Label> pool = RobustBenchmark.load(o.data(), "train", (sourcePerClass + maxShots) * CLASSES);
        MutableDataset<Label> source = subset(pool, 0, sourcePerClass, 1.0, 0.0, "source");
        Dataset<Label> test = RobustBenchmark.load(o.data(), "t10k", o.testExamples());
        MutableDataset<Label> shiftedTest = subset(test, 0, Integer.MAX_VALUE, o.contrast(), o.brightness(), "shifted-test");
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("measurement", "setup");
        setup.put("mode", "blackvip");
        setup.put("sourceExamples", source.size());
        setup.put("testExamples", shiftedTest.size());
        setup.put("threads", DjlRuntime.intraOpThreads());
        setup.put("options", describe(o));
        RobustBenchmark.emit(out, setup);

        long start = System.nanoTime();
        CNNSpec spec = new CNNSpec(1, SIDE, SIDE, o.channels(), true, 2, new int[] {o.hidden()});
        NetworkModel blackBox = new NetworkTrainer(spec, new AdamOptimiserFactory(o.learningRate()), o.epochs(),
                o.batchSize(), o.seed()).train(source);
        RobustBenchmark.emit(out, RobustBenchmark.timing("black-box-training", start));
        LabelEvaluator evaluator = new LabelEvaluator();
        double clean = evaluator.evaluate(blackBox, test).accuracy();
        double unprompted = evaluator.evaluate(blackBox, shiftedTest).accuracy();

        CoordinatorSpec coordinator = new CoordinatorSpec(1, SIDE, SIDE, 8, 2, 8, o.promptBound());
        SpsaGcOptimiser spsa = new SpsaGcOptimiser(o.gain(), o.perturbation(), o.samples());
        for (int k : o.shots()) {
            MutableDataset<Label> shots = subset(pool, sourcePerClass, k, o.contrast(), o.brightness(), "shots-" + k);
            int stepsPerEpoch = (shots.size() + o.promptBatch() - 1) / o.promptBatch();
            int epochs = (o.steps() + stepsPerEpoch - 1) / stepsPerEpoch;
            start = System.nanoTime();
            BlackVipModel prompted = new BlackVipTrainer(blackBox, coordinator, spsa, epochs, o.promptBatch(), o.seed())
                    .train(shots);
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("measurement", "blackvip");
            row.put("shotsPerClass", k);
            row.put("trainingExamples", shots.size());
            row.put("epochs", epochs);
            row.put("spsaSteps", epochs * stepsPerEpoch);
            row.put("blackBoxQueries", prompted.trainingQueries());
            row.put("cleanAccuracy", clean);
            row.put("shiftedAccuracyUnprompted", unprompted);
            row.put("shiftedAccuracyPrompted", evaluator.evaluate(prompted, shiftedTest).accuracy());
            row.put("trainingSeconds", seconds);
            RobustBenchmark.emit(out, row);
        }
    }

    /**
     * The examples of each class from its {@code skip}-th to its {@code skip + count}-th, shifted to
     * {@code clip(contrast * x + brightness, 0, 1)}.
     */
    private static MutableDataset<Label> subset(Dataset<Label> data, int skip, int count, double contrast,
                                                double brightness, String name) {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> out = new MutableDataset<>(new SimpleDataSourceProvenance(name, factory), factory);
        Map<String, Integer> seen = new HashMap<>();
        for (Example<Label> e : data) {
            int index = seen.merge(e.getOutput().getLabel(), 1, Integer::sum) - 1;
            if (index < skip || index - skip >= count) {
                continue;
            }
            String[] names = new String[e.size()];
            double[] values = new double[e.size()];
            int i = 0;
            for (Feature f : e) {
                names[i] = f.getName();
                values[i++] = Math.min(1.0, Math.max(0.0, contrast * f.getValue() + brightness));
            }
            out.add(new ArrayExample<>(e.getOutput(), names, values));
        }
        return out;
    }

    private static Map<String, Object> describe(BlackVipOptions o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("trainExamples", o.trainExamples());
        m.put("channels", o.channels());
        m.put("hidden", o.hidden());
        m.put("epochs", o.epochs());
        m.put("contrast", o.contrast());
        m.put("brightness", o.brightness());
        m.put("shots", o.shots());
        m.put("steps", o.steps());
        m.put("promptBatch", o.promptBatch());
        m.put("gain", o.gain());
        m.put("perturbation", o.perturbation());
        m.put("samples", o.samples());
        m.put("promptBound", o.promptBound());
        m.put("seed", o.seed());
        return m;
    }
}
