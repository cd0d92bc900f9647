package org.tribuoadapt.examples;

import org.tribuoadapt.examples.bench.bonsai.BonsaiBenchmark;
import org.tribuoadapt.examples.bench.compander.CompanderBenchmark;
import org.tribuoadapt.examples.bench.core.BenchmarkCommand;
import org.tribuoadapt.examples.bench.core.TrainBenchmark;
import org.tribuoadapt.examples.bench.hpo.HpoBenchmark;
import org.tribuoadapt.examples.bench.hypernet.HypernetBenchmark;
import org.tribuoadapt.examples.bench.isogclr.IsogclrBenchmark;
import org.tribuoadapt.examples.bench.peft.PeftBenchmark;
import org.tribuoadapt.examples.bench.pruning.PruningBenchmark;
import org.tribuoadapt.examples.bench.robust.RobustBenchmark;
import org.tribuoadapt.examples.bench.sigma.SigmaReparamBenchmark;
import org.tribuoadapt.examples.bench.tta.DaBenchmark;
import org.tribuoadapt.examples.bench.tta.TtaBenchmark;
import org.tribuoadapt.examples.bench.tta.TtaFewShotBenchmark;
import org.tribuoadapt.examples.bench.tta.TtaSelectionBenchmark;
import org.tribuoadapt.examples.bench.widenet.WideNetBenchmark;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code bench <name> [options]}: runs one module's benchmark, which prints one JSON object per measurement.
 */
final class BenchCommand implements CliCommand {

    private static Map<String, BenchmarkCommand> benchmarks() {
        Map<String, BenchmarkCommand> out = new LinkedHashMap<>();
        for (BenchmarkCommand b : new BenchmarkCommand[] {new TrainBenchmark(), new PeftBenchmark(), new HpoBenchmark(), new RobustBenchmark(),
                new TtaBenchmark(), new TtaSelectionBenchmark(), new TtaFewShotBenchmark(), new DaBenchmark(), new SigmaReparamBenchmark(),
                new CompanderBenchmark(), new WideNetBenchmark(), new IsogclrBenchmark(), new BonsaiBenchmark(),
                new PruningBenchmark(), new HypernetBenchmark()}) {
            out.put(b.name(), b);
        }
        return out;
    }

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String description() {
        return "run a benchmark (" + String.join(", ", benchmarks().keySet()) + "); prints JSON lines";
    }

    @Override
    public int run(String[] args) throws Exception {
        Map<String, BenchmarkCommand> benchmarks = benchmarks();
        if (args.length == 0 || !benchmarks.containsKey(args[0])) {
            StringBuilder b = new StringBuilder("usage: bench <name> [options]; benchmarks:\n");
            benchmarks.values().forEach(x -> b.append(String.format("  %-8s %s%n", x.name(), x.description())));
            System.err.print(b);
            return 2;
        }
        benchmarks.get(args[0]).run(Arrays.asList(args).subList(1, args.length), System.out);
        return 0;
    }
}
