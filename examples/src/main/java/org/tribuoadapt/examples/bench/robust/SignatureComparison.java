package org.tribuoadapt.examples.bench.robust;

import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.examples.bench.core.BenchmarkOptions;
import org.tribuoadapt.robust.weightspace.SignaturePatcher;
import org.tribuoadapt.robust.weightspace.TaskVector;
import org.tribuoadapt.robust.weightspace.WeightSignature;
import org.tribuoadapt.tta.corruption.Corruption;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench robust --mode signatures}: robust weight signatures (Cai, Zhang and Wang 2023) against task arithmetic
 * (Ilharco et al. 2023) on Fashion-MNIST corruptions. A CNN is pre-trained on clean images; from it, three copies are
 * fine-tuned for the same epochs: on clean images (the model to patch), on images with a noise corruption and on
 * images with a blur corruption (the robust models). Each model, the clean model patched with each signature and with
 * both ({@link SignaturePatcher}: {@code theta_clean + (alpha / K) sum_k RWS_k} on the first {@code keepNum} weight
 * layers, BatchNorm entries averaged from the robust models), and the clean model plus the two task vectors
 * ({@code theta_robust - theta_pretrained}, each at {@code alpha / K}, every layer) is scored on the clean, noisy and
 * blurred test images. Options (defaults): {@code --data} (/usr/share/datasets/fashion-mnist),
 * {@code --train-examples} 6000, {@code --test-examples} 1000, {@code --channels} 8,16, {@code --hidden} 32,
 * {@code --pretrain-epochs} 2, {@code --tune-epochs} 2, {@code --noise} gaussian_noise, {@code --blur} defocus_blur,
 * {@code --severity} 3, {@code --keep-num} 2, {@code --alpha} 1, {@code --lr} 0.002, {@code --batch-size} 128,
 * {@code --seed} 1.
 */
final class SignatureComparison {

    private static final int SIDE = 28;

    private static final Map<String, String> DEFAULTS = defaults();

    private SignatureComparison() {}

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("data", "/usr/share/datasets/fashion-mnist");
        d.put("train-examples", "6000");
        d.put("test-examples", "1000");
        d.put("channels", "8,16");
        d.put("hidden", "32");
        d.put("pretrain-epochs", "2");
        d.put("tune-epochs", "2");
        d.put("noise", "gaussian_noise");
        d.put("blur", "defocus_blur");
        d.put("severity", "3");
        d.put("keep-num", "2");
        d.put("alpha", "1");
        d.put("lr", "0.002");
        d.put("batch-size", "128");
        d.put("seed", "1");
        return d;
    }

    /**
     * The option names.
     * @return The names, for the benchmark's description.
     */
    static List<String> names() {
        return DEFAULTS.keySet().stream().map(k -> "--" + k).toList();
    }

    /**
     * Runs the comparison, one JSON line per model.
     * @param args The options.
     * @param out Where the lines go.
     * @throws Exception If the data cannot be read.
     */
    static void run(List<String> args, PrintStream out) throws Exception {
        BenchmarkOptions o = new BenchmarkOptions(args, DEFAULTS);
        Corruption noise = Corruption.fromName(o.string("noise"));
        Corruption blur = Corruption.fromName(o.string("blur"));
        int severity = o.integer("severity");
        Corruption.checkSeverity(severity);
        long seed = o.longValue("seed");
        Dataset<Label> train = RobustBenchmark.load(o.string("data"), "train", o.integer("train-examples"));
        Dataset<Label> test = RobustBenchmark.load(o.string("data"), "t10k", o.integer("test-examples"));
        Map<String, Dataset<Label>> tests = new LinkedHashMap<>();
        tests.put("clean", test);
        tests.put(noise.id(), corrupt(test, noise, severity, seed + 1));
        tests.put(blur.id(), corrupt(test, blur, severity, seed + 2));

        CNNSpec spec = new CNNSpec(1, SIDE, SIDE, o.integers("channels").stream().mapToInt(Integer::intValue).toArray(),
                true, 2, new int[] {o.integer("hidden")});
        AdamOptimiserFactory adam = new AdamOptimiserFactory(o.real("lr"));
        int batch = o.integer("batch-size");
        long start = System.nanoTime();
        NetworkModel pretrained = new NetworkTrainer(spec, adam, o.integer("pretrain-epochs"), batch, seed).train(train);
        NetworkTrainer tuner = new NetworkTrainer(spec, adam, o.integer("tune-epochs"), batch, seed);
        NetworkModel clean = tuner.fineTune(train, pretrained, Map.of());
        NetworkModel noiseRobust = tuner.fineTune(corrupt(train, noise, severity, seed + 3), pretrained, Map.of());
        NetworkModel blurRobust = tuner.fineTune(corrupt(train, blur, severity, seed + 4), pretrained, Map.of());
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("measurement", "setup");
        setup.put("mode", "signatures");
        setup.put("trainExamples", train.size());
        setup.put("testExamples", test.size());
        setup.put("trainingSeconds", (System.nanoTime() - start) / 1e9);
        setup.put("options", o.toString());
        RobustBenchmark.emit(out, setup);

        double alpha = o.real("alpha");
        SignaturePatcher patcher = new SignaturePatcher(alpha, o.integer("keep-num"));
        WeightSignature noiseSignature = patcher.extract(pretrained, clean, noiseRobust);
        WeightSignature blurSignature = patcher.extract(pretrained, clean, blurRobust);
        Map<String, NetworkModel> models = new LinkedHashMap<>();
        models.put("pretrained", pretrained);
        models.put("clean", clean);
        models.put(noise.id() + "-robust", noiseRobust);
        models.put(blur.id() + "-robust", blurRobust);
        models.put("clean+rws(" + noise.id() + ")", patcher.patch(clean, List.of(noiseSignature)));
        models.put("clean+rws(" + blur.id() + ")", patcher.patch(clean, List.of(blurSignature)));
        models.put("clean+rws(" + noise.id() + "," + blur.id() + ")",
                patcher.patch(clean, List.of(noiseSignature, blurSignature)));
        models.put("clean+task-vectors(" + noise.id() + "," + blur.id() + ")", TaskVector.compose(clean,
                List.of(TaskVector.extract(pretrained, noiseRobust), TaskVector.extract(pretrained, blurRobust)),
                new double[] {alpha / 2, alpha / 2}));
        LabelEvaluator evaluator = new LabelEvaluator();
        for (Map.Entry<String, NetworkModel> m : models.entrySet()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("measurement", "signature-accuracy");
            row.put("model", m.getKey());
            double sum = 0;
            for (Map.Entry<String, Dataset<Label>> t : tests.entrySet()) {
                double accuracy = evaluator.evaluate(m.getValue(), t.getValue()).accuracy();
                row.put(t.getKey() + "Accuracy", accuracy);
                sum += accuracy;
            }
            row.put("meanAccuracy", sum / tests.size());
            RobustBenchmark.emit(out, row);
        }
        Map<String, Object> layers = new LinkedHashMap<>();
        layers.put("measurement", "signature-layers");
        layers.put("keepNum", noiseSignature.keepNum());
        layers.put("keptLayers", noiseSignature.keptLayers());
        RobustBenchmark.emit(out, layers);
    }

    /**
     * Every image of a data set with a corruption, each drawn from its own seed.
     * @param data Images of 28 x 28 dense pixels in [0, 1].
     * @param corruption The corruption.
     * @param severity Its severity.
     * @param seed The seed.
     * @return The corrupted copy, labels kept.
     */
    static MutableDataset<Label> corrupt(Dataset<Label> data, Corruption corruption, int severity, long seed) {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> out = new MutableDataset<>(new SimpleDataSourceProvenance(corruption.id() + "-" + severity,
                factory), factory);
        long index = 0;
        for (Example<Label> e : data) {
            if (e.size() != SIDE * SIDE) {
                throw new IllegalArgumentException("expected dense " + SIDE + "x" + SIDE + " images, found an example with "
                        + e.size() + " features");
            }
            String[] names = new String[e.size()];
            float[] pixels = new float[e.size()];
            int i = 0;
            for (Feature f : e) {
                names[i] = f.getName();
                pixels[i++] = (float) f.getValue();
            }
            float[] corrupted = corruption.apply(pixels, SIDE, SIDE, severity,
                    corruption.exampleSeed(seed, severity, index++));
            double[] values = new double[corrupted.length];
            for (int p = 0; p < values.length; p++) {
                values[p] = corrupted[p];
            }
            out.add(new ArrayExample<>(e.getOutput(), names, values));
        }
        return out;
    }
}
