package org.tribuoadapt.examples.bench.peft;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.examples.bench.core.BenchmarkCommand;
import org.tribuoadapt.examples.bench.core.BenchmarkOptions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench peft}: the adapter benchmark, printing one JSON object per measurement.
 * <ul>
 *     <li>{@code --mode speed} (default), {@code --model mlp|cnn}: training and inference examples per second of LoRA
 *     fine-tuning, the same work as {@code peer_pytorch_lora.py} (frozen base, LoRA r=8 alpha=16 on every Linear and
 *     Conv2d layer but the head, which trains fully; Adam 1e-3; batch 128; 20000 examples; a warm-up epoch and a timed
 *     epoch); full fine-tuning timed the same way; merged against base inference speed; peak resident memory of LoRA
 *     and of full fine-tuning ({@link PeakMemory}).</li>
 *     <li>{@code --mode quality}: Fashion-MNIST classes 0-4 then 5-9 with a new head: full fine-tuning, head only, and
 *     every adapter method; test accuracy and trainable share. On the main job's CNN, or with
 *     {@code --model transformer} on the sequence Transformer (28 rows of 28 pixels) with LoRA and the Transformer
 *     adapters (bottleneck, prompt and prefix tuning, the mix-and-match adapter, ZeroI2V's linear adapters);
 *     {@code --methods a,b} runs only the named adapter methods (after the source, full fine-tuning and head-only
 *     rows). Each adapter's line has {@code module_ranks}, the rank of each adapted layer (for the sparse methods, the
 *     number of entries it tunes).</li>
 *     <li>{@code --mode multitask}: Poly, MHR, MHR-z and MHR-μ on {@code fc1} of the main job's CNN with Fashion-MNIST
 *     class pairs of 5-9 as tasks ({@link MultiTaskBenchmark}); {@code --epochs} is the number of rounds over the
 *     tasks.</li>
 *     <li>{@code --mode lora-cost}: the median time of one forward and backward pass of LoRA on the attention's
 *     {@code qkv} projections of a random sequence Transformer, the adapter gradient's norm and the largest query/key/value
 *     entry, for every rank of {@code --ranks} (default 1,4,16,64) and input scale of {@code --scales} (default
 *     0.1,1,10) ({@link LoraCostBenchmark}; options {@code --tokens}, {@code --token-width}, {@code --dim},
 *     {@code --batch}, {@code --repeats}).</li>
 * </ul>
 * Options: {@code --data DIR} (default {@value #DEFAULT_DATA}), {@code --examples N} (speed: the first N training
 * examples, default 20000; quality: at most N training examples per class, default all), {@code --rank},
 * {@code --alpha}, {@code --batch}, {@code --epochs} and {@code --source-epochs} (quality, default 2 each),
 * {@code --lr} (adapters, default 0.01), {@code --full-lr} (source and full fine-tuning, default 0.001),
 * {@code --seed}, {@code --only} (speed: {@code lora} or {@code full}), {@code --methods} (quality, see above),
 * {@code --isolate false} (speed:
 * measure LoRA and full fine-tuning in this JVM instead of one fresh JVM
 * each).
 */
public final class PeftBenchmark implements BenchmarkCommand {

    /** Debian's dataset-fashion-mnist folder. */
    public static final String DEFAULT_DATA = "/usr/share/datasets/fashion-mnist";

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return "peft";
    }

    @Override
    public String description() {
        return "LoRA fine-tuning speed against plain PyTorch (--model mlp|cnn), merged inference and memory; "
                + "--mode quality: Fashion-MNIST 0-4 -> 5-9 accuracy of every adapter method; "
                + "--mode multitask: Poly, MHR, MHR-z and MHR-mu on Fashion-MNIST class-pair tasks; "
                + "--mode lora-cost: LoRA gradient cost by rank and input scale";
    }

    @Override
    public void run(List<String> args, PrintStream out) throws Exception {
        BenchmarkOptions options = new BenchmarkOptions(args, DEFAULTS);
        Path data = Paths.get(options.string("data"));
        int rank = options.integer("rank");
        double alpha = options.real("alpha");
        int batch = options.integer("batch");
        long seed = options.longValue("seed");
        switch (options.string("mode")) {
            case "speed": {
                String model = options.string("model");
                NetworkSpec spec;
                if (model.equals("mlp")) {
                    spec = new MLPSpec(784, new int[] {512, 256}, Activation.RELU, 0.0);
                } else if (model.equals("cnn")) {
                    spec = QualityBenchmark.NETWORK;
                } else {
                    throw new IllegalArgumentException("--model must be mlp or cnn (or transformer with --mode quality), "
                            + "found '" + model + "'");
                }
                int examples = options.integer("examples");
                String only = options.string("only");
                if (Boolean.parseBoolean(options.string("isolate")) && only.isEmpty()) {
                    for (String method : List.of("lora", "full")) {
                        runIsolated(args, method, out);
                    }
                    break;
                }
                TensorDataset train = BenchmarkData.firstTrainingExamples(data, examples, spec.inputShape());
                SpeedBenchmark speed = new SpeedBenchmark(spec, model, train, rank, alpha, batch, seed);
                if (!only.equals("full")) {
                    speed.runLora(line -> print(out, line));
                }
                if (!only.equals("lora")) {
                    speed.runFull(line -> print(out, line));
                }
                break;
            }
            case "quality": {
                boolean sequence = options.string("model").equals("transformer");
                NetworkSpec spec = sequence ? QualityBenchmark.SEQUENCE_NETWORK : QualityBenchmark.NETWORK;
                int perClass = options.integer("per-class");
                TensorDataset[] source = BenchmarkData.classes(data, List.of(0, 1, 2, 3, 4), perClass, spec.inputShape());
                TensorDataset[] target = BenchmarkData.classes(data, List.of(5, 6, 7, 8, 9), perClass, spec.inputShape());
                new QualityBenchmark(spec, sequence ? "transformer" : "cnn", source, target, options.integer("source-epochs"),
                        options.integer("epochs"), batch, options.real("lr"), options.real("full-lr"), seed)
                        .run(QualityBenchmark.select(sequence ? QualityBenchmark.sequenceMethods(rank)
                                : QualityBenchmark.methods(rank), options.list("methods")), line -> print(out, line));
                break;
            }
            case "multitask": {
                NetworkSpec spec = QualityBenchmark.NETWORK;
                int perClass = options.integer("per-class");
                TensorDataset[] source = BenchmarkData.classes(data, List.of(0, 1, 2, 3, 4), perClass, spec.inputShape());
                TensorDataset[] target = BenchmarkData.classes(data, List.of(5, 6, 7, 8, 9), perClass, spec.inputShape());
                new MultiTaskBenchmark(spec, source, target, options.integer("source-epochs"), options.integer("epochs"),
                        batch, options.real("lr"), options.real("full-lr"), rank, seed).run(line -> print(out, line));
                break;
            }
            case "lora-cost":
                new LoraCostBenchmark(options.integer("tokens"), options.integer("token-width"), options.integer("dim"), batch,
                        options.integer("repeats"), seed).run(options.integers("ranks"), reals(options, "scales"),
                        line -> print(out, line));
                break;
            default:
                throw new IllegalArgumentException("--mode must be speed, quality, multitask or lora-cost, found '"
                        + options.string("mode") + "'");
        }
    }

    private static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("mode", "speed");
        d.put("model", "mlp");
        d.put("data", DEFAULT_DATA);
        d.put("examples", "20000");
        d.put("per-class", "0");
        d.put("rank", "8");
        d.put("alpha", "16");
        d.put("batch", "128");
        d.put("epochs", "2");
        d.put("source-epochs", "2");
        d.put("lr", "0.01");
        d.put("full-lr", "0.001");
        d.put("seed", "1");
        d.put("isolate", "true");
        d.put("only", "");
        d.put("methods", "");
        d.put("tokens", "64");
        d.put("token-width", "16");
        d.put("dim", "128");
        d.put("repeats", "5");
        d.put("ranks", "1,4,16,64");
        d.put("scales", "0.1,1,10");
        return Collections.unmodifiableMap(d);
    }


    private static List<Double> reals(BenchmarkOptions options, String key) {
        List<Double> out = new ArrayList<>();
        for (String part : options.list(key)) {
            try {
                out.add(Double.parseDouble(part));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + key + " needs comma-separated numbers, found '" + part + "'");
            }
        }
        return out;
    }

    /**
     * Runs one speed measurement in a fresh JVM with this JVM's class path and options (and a serial collector that
     * shrinks the heap after collections), so that each method's peak resident memory starts from the same state, and
     * copies its JSON lines.
     */
    private static void runIsolated(List<String> args, String method, PrintStream out) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!option.startsWith("-XX:") || !option.contains("GC")) {
                command.add(option);
            }
        }
        // a collector that returns freed heap at once, so that both measurements start from the live data only
        command.addAll(List.of("-XX:+UseSerialGC", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(PeftBenchmark.class.getName());
        command.addAll(args);
        command.addAll(List.of("--only", method));
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith("{")) {
                    out.println(line);
                    out.flush();
                }
            }
        }
        int status = child.waitFor();
        if (status != 0) {
            throw new IOException("the " + method + " measurement failed with exit status " + status);
        }
    }

    /**
     * Runs the benchmark in this JVM (the isolated measurements start here).
     * @param args The options.
     * @throws Exception if the benchmark fails.
     */
    public static void main(String[] args) throws Exception {
        new PeftBenchmark().run(List.of(args), System.out);
    }

    private static void print(PrintStream out, Map<String, Object> line) {
        try {
            out.println(JSON.writeValueAsString(line));
            out.flush();
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
