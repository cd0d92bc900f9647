package org.tribuoadapt.examples.bench.tta;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.ImmutableDataset;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.MutableDataset;
import org.tribuo.VariableIDInfo;
import org.tribuo.VariableInfo;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.examples.bench.core.BenchmarkCommand;
import org.tribuoadapt.examples.bench.core.BenchmarkOptions;
import org.tribuoadapt.examples.bench.core.EmbeddedSample;
import org.tribuoadapt.peft.AdapterSpec;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftModel;
import org.tribuoadapt.peft.PeftTrainer;
import org.tribuoadapt.peft.bitfit.BitFitSpec;
import org.tribuoadapt.peft.layertuning.LayerTuningSpec;
import org.tribuoadapt.peft.lora.LoraSpec;
import org.tribuoadapt.tta.corruption.Corruption;
import org.tribuoadapt.tta.evaluation.TtaEvaluation;
import org.tribuoadapt.tta.evaluation.TtaEvaluator;
import org.tribuoadapt.tta.method.TestTimeMethod;
import org.tribuoadapt.tta.method.eata.Eata;
import org.tribuoadapt.tta.method.source.SourceOnly;
import org.tribuoadapt.tta.method.tent.Tent;
import org.tribuoadapt.tta.scenario.CorruptionScenario;
import org.tribuoadapt.tta.scenario.StreamMode;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench tta-fewshot}: few-shot fine-tuning for source-free domain adaptation (Lee, Seo, Kim, Lee and Hwang
 * 2023, "Few-shot Fine-tuning is All You Need for Source-free Domain Adaptation", arXiv:2304.00792) against
 * unsupervised test-time adaptation on the same corrupted target stream. A CNN (conv 32 and 64 with BatchNorm,
 * pooling, hidden 128) is trained on the first clean training images of the embedded Fashion-MNIST sample.
 * {@link FewShotSampler} draws k labelled test images per class once; for each target domain (a corruption at one
 * severity) the shots are corrupted like the domain, and the other test images form the evaluation stream, on which
 * Source, Tent and EATA run through {@link TtaEvaluator} and every fine-tuned model is evaluated unadapted. The
 * fine-tuning methods are tribuo-peft adapters on the frozen source network: LoRA (rank 4) on the convolutions and
 * the hidden layer and BitFit on every bias, each with the head trained as a module to save, and head-only tuning
 * ({@link LayerTuningSpec#headOnly()}: the classifier's weight and bias, nothing else).
 * <p>
 * Model selection uses no target validation data. Every fine-tuning runs a fixed number of epochs, set before any
 * target label is seen, over the shots (batches of at most {@code --batch-size} images), with no early stopping. The
 * rows named after a method use the fixed {@code --finetune-lr}; the rows named {@code <method>-cv} choose the
 * learning rate among {@code --select-lr} by stratified cross-validation over the shots alone
 * ({@link ShotCrossValidation}) and then fine-tune on all the shots with it, so no target label beyond the shots is
 * used either way.
 * <p>
 * Options (defaults in brackets): {@code --train-examples} [2000], {@code --epochs} source epochs [2],
 * {@code --examples} evaluation images per domain [500], {@code --corruptions} [gaussian_noise,fog],
 * {@code --severity} [5], {@code --batch-size} stream and fine-tuning batch [64], {@code --shots} [1,5,10],
 * {@code --methods} fine-tuning methods, of lora, bitfit and head [lora,bitfit,head], {@code --finetune-epochs} [30],
 * {@code --finetune-lr} [1e-3], {@code --select-lr} candidate rates of the cross-validated rows, none to leave them
 * out [3e-4,1e-3,3e-3], {@code --tta-lr} Adam learning rate of Tent and EATA [1e-3], {@code --seed} [1].
 */
public final class TtaFewShotBenchmark implements BenchmarkCommand {

    private static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("train-examples", "2000");
        d.put("epochs", "2");
        d.put("examples", "500");
        d.put("corruptions", "gaussian_noise,fog");
        d.put("severity", "5");
        d.put("batch-size", "64");
        d.put("shots", "1,5,10");
        d.put("methods", "lora,bitfit,head");
        d.put("finetune-epochs", "30");
        d.put("finetune-lr", "1e-3");
        d.put("select-lr", "3e-4,1e-3,3e-3");
        d.put("tta-lr", "1e-3");
        d.put("seed", "1");
        return Collections.unmodifiableMap(d);
    }

    /**
     * Creates the command.
     */
    public TtaFewShotBenchmark() {}

    @Override
    public String name() {
        return "tta-fewshot";
    }

    @Override
    public String description() {
        return "few-shot fine-tuning (LoRA, BitFit, head only; fixed or cross-validated learning rate) with k labelled "
                + "target images per class against Source, Tent and EATA on a corrupted stream of the embedded sample; "
                + "options --" + String.join(", --", DEFAULTS.keySet());
    }

    @Override
    public void run(List<String> args, PrintStream out) throws Exception {
        BenchmarkOptions options = new BenchmarkOptions(args, DEFAULTS);
        int trainExamples = options.integer("train-examples");
        int epochs = options.integer("epochs");
        int examples = options.integer("examples");
        List<String> corruptions = options.list("corruptions");
        int severity = options.integer("severity");
        Corruption.checkSeverity(severity);
        int batchSize = options.integer("batch-size");
        List<Integer> shots = options.integers("shots");
        int finetuneEpochs = options.integer("finetune-epochs");
        double finetuneRate = options.real("finetune-lr");
        List<Double> candidateRates = new ArrayList<>();
        for (String rate : options.list("select-lr")) {
            try {
                candidateRates.add(Double.parseDouble(rate));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--select-lr needs comma-separated numbers, found '" + rate + "'");
            }
        }
        ShotCrossValidation selection = candidateRates.isEmpty() ? null : new ShotCrossValidation(candidateRates);
        double ttaRate = options.real("tta-lr");
        long seed = options.longValue("seed");
        if (trainExamples < 1 || finetuneEpochs < 1 || batchSize < 1) {
            throw new IllegalArgumentException("--train-examples, --finetune-epochs and --batch-size must be at least 1");
        }
        int maxShots = 0;
        for (int k : shots) {
            if (k < 1) {
                throw new IllegalArgumentException("--shots must be at least 1, found " + k);
            }
            maxShots = Math.max(maxShots, k);
        }
        Map<String, AdapterSpec> methods = new LinkedHashMap<>();
        for (String method : options.list("methods")) {
            methods.put(method, adapter(method));
        }
        for (String corruption : corruptions) {
            Corruption.fromName(corruption);
        }
        ObjectMapper json = new ObjectMapper();
        long started = System.nanoTime();
        MutableDataset<Label> train = EmbeddedSample.load("train", trainExamples);
        CNNSpec spec = new CNNSpec(1, 28, 28, new int[] {32, 64}, true, 2, new int[] {128});
        NetworkModel model = new NetworkTrainer(spec, new AdamOptimiserFactory(1e-3), epochs, 64, seed).train(train);
        FewShotSampler.Split split = new FewShotSampler(maxShots, seed).split(EmbeddedSample.load("t10k", 0));
        Map<String, Object> modelLine = new LinkedHashMap<>();
        modelLine.put("bench", "tta-fewshot");
        modelLine.put("event", "source-model");
        modelLine.put("trainExamples", train.size());
        modelLine.put("evaluationPool", split.rest().size());
        modelLine.put("seconds", (System.nanoTime() - started) / 1e9);
        out.println(json.writeValueAsString(modelLine));
        for (String corruption : corruptions) {
            CorruptionScenario scenario = new CorruptionScenario(List.of(corruption), List.of(severity),
                    StreamMode.CONTINUAL, batchSize, 0.0, examples, seed);
            TtaEvaluator evaluator = new TtaEvaluator(scenario);
            String domain = corruption + "-" + severity;
            List<TestTimeMethod> unsupervised = List.of(new SourceOnly(),
                    new Tent(new AdamOptimiserFactory(ttaRate), 1, List.of(), false),
                    new Eata(new AdamOptimiserFactory(ttaRate), 0.4, 0.4, 1.0, 2000, List.of(), false));
            for (TtaEvaluation evaluation : evaluator.evaluate(model, split.rest(), train, unsupervised).evaluations()) {
                out.println(json.writeValueAsString(line(domain, evaluation.method(), 0, evaluation)));
                out.flush();
            }
            for (int k : shots) {
                MutableDataset<Label> shotData = corrupt(split.shots(k), model.getFeatureIDMap(), corruption, severity,
                        seed);
                for (Map.Entry<String, AdapterSpec> method : methods.entrySet()) {
                    FineTuning tuning = new FineTuning(method.getValue(), finetuneEpochs, batchSize, seed, model);
                    long start = System.nanoTime();
                    PeftModel tuned = tuning.fit(finetuneRate, shotData);
                    Map<String, Object> line = line(domain, method.getKey(), k,
                            evaluator.evaluate(tuned, split.rest(), null, new SourceOnly()));
                    line.put("learningRate", finetuneRate);
                    line.put("trainableParams", tuned.trainableSummary().trainable());
                    line.put("finetuneSeconds", (System.nanoTime() - start) / 1e9);
                    out.println(json.writeValueAsString(line));
                    out.flush();
                    if (selection != null) {
                        start = System.nanoTime();
                        ShotCrossValidation.Selection chosen = selection.select(shotData, tuning::correct);
                        PeftModel selected = tuning.fit(chosen.learningRate(), shotData);
                        line = line(domain, method.getKey() + "-cv", k,
                                evaluator.evaluate(selected, split.rest(), null, new SourceOnly()));
                        line.put("learningRate", chosen.learningRate());
                        line.put("folds", chosen.folds());
                        Map<String, Double> scores = new LinkedHashMap<>();
                        chosen.accuracies().forEach((rate, accuracy) -> scores.put(rate.toString(), accuracy));
                        line.put("crossValidatedAccuracy", scores);
                        line.put("trainableParams", selected.trainableSummary().trainable());
                        line.put("finetuneSeconds", (System.nanoTime() - start) / 1e9);
                        out.println(json.writeValueAsString(line));
                        out.flush();
                    }
                }
            }
        }
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("bench", "tta-fewshot");
        done.put("event", "done");
        done.put("totalSeconds", (System.nanoTime() - started) / 1e9);
        out.println(json.writeValueAsString(done));
    }

    private static Map<String, Object> line(String domain, String method, int shots, TtaEvaluation evaluation) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("bench", "tta-fewshot");
        line.put("domain", domain);
        line.put("method", method);
        line.put("shots", shots);
        line.put("accuracy", evaluation.accuracy());
        return line;
    }

    /**
     * One fine-tuning configuration on the frozen source model, at any learning rate: on the shots, and on a fold of
     * them for cross-validation.
     */
    private record FineTuning(AdapterSpec adapter, int epochs, int batchSize, long seed, NetworkModel base) {

        PeftModel fit(double learningRate, Dataset<Label> shots) {
            return new PeftTrainer(adapter, new AdamOptimiserFactory(learningRate), epochs,
                    Math.min(batchSize, shots.size()), seed).train(shots, base);
        }

        /**
         * Fine-tunes on a fold and counts its correct predictions on the held-out shots; the fold keeps the source
         * model's feature and label maps, since it may lack some classes.
         */
        int correct(double learningRate, List<Example<Label>> train, List<Example<Label>> heldOut) {
            LabelFactory labels = new LabelFactory();
            PeftModel tuned = fit(learningRate, new ImmutableDataset<>(train, new SimpleDataSourceProvenance(
                    "a cross-validation fold of the shots", labels), labels, base.getFeatureIDMap(),
                    base.getOutputIDInfo(), false));
            int correct = 0;
            for (Example<Label> example : heldOut) {
                if (tuned.predict(example).getOutput().getLabel().equals(example.getOutput().getLabel())) {
                    correct++;
                }
            }
            return correct;
        }
    }

    /** The adapter of a fine-tuning method: LoRA and BitFit train the head as a module to save. */
    private static AdapterSpec adapter(String method) {
        return switch (method) {
            case "lora" -> new LoraSpec(AdapterTargets.modules("conv1", "conv2", "fc1").saving("head"), 4, 8.0);
            case "bitfit" -> new BitFitSpec(AdapterTargets.modules("conv1", "bn1", "conv2", "bn2", "fc1")
                    .saving("head"));
            case "head" -> LayerTuningSpec.headOnly();
            default -> throw new IllegalArgumentException("unknown fine-tuning method '" + method
                    + "'; the few-shot benchmark fine-tunes lora, bitfit and head");
        };
    }

    /** The shots corrupted like the target domain, each with its own seed as in {@link CorruptionScenario}. */
    private static MutableDataset<Label> corrupt(MutableDataset<Label> shots, ImmutableFeatureMap features,
                                                 String corruptionName, int severity, long seed) {
        Corruption corruption = Corruption.fromName(corruptionName);
        int width = features.size();
        int side = (int) Math.round(Math.sqrt(width));
        if (side * side != width) {
            throw new IllegalArgumentException("the model's " + width + " features are not a square image");
        }
        String[] names = new String[width];
        for (VariableInfo info : features) {
            names[((VariableIDInfo) info).getID()] = info.getName();
        }
        MutableDataset<Label> out = new MutableDataset<>(shots.getProvenance(), shots.getOutputFactory());
        for (int i = 0; i < shots.size(); i++) {
            Example<Label> example = shots.getExample(i);
            float[] image = new float[width];
            for (Feature feature : example) {
                VariableIDInfo info = features.get(feature.getName());
                if (info != null) {
                    image[info.getID()] = (float) feature.getValue();
                }
            }
            float[] shifted = corruption.apply(image, side, side, severity,
                    corruption.exampleSeed(seed + 1, severity, i));
            double[] values = new double[width];
            for (int p = 0; p < width; p++) {
                values[p] = shifted[p];
            }
            out.add(new ArrayExample<>(example.getOutput(), names, values));
        }
        return out;
    }
}
