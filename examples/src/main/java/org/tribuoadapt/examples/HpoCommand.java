package org.tribuoadapt.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.tribuoadapt.core.io.AtomicFiles;
import org.tribuoadapt.examples.steps.PbtReport;
import org.tribuoadapt.examples.steps.StudyReport;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.FaultPolicy;
import org.tribuoadapt.hpo.search.NopPruner;
import org.tribuoadapt.hpo.search.Pruner;
import org.tribuoadapt.hpo.search.Sampler;
import org.tribuoadapt.hpo.search.Study;
import org.tribuoadapt.hpo.search.Trial;
import org.tribuoadapt.hpo.search.TrialState;
import org.tribuoadapt.hpo.search.journal.JournalFileStorage;
import org.tribuoadapt.hpo.search.objective.ConfigObjective;
import org.tribuoadapt.hpo.search.pbt.PbtResult;
import org.tribuoadapt.hpo.search.pbt.PbtSegment;
import org.tribuoadapt.hpo.search.pbt.PopulationBasedTraining;
import org.tribuoadapt.hpo.search.protocol.TwoPhaseProtocol;
import org.tribuoadapt.hpo.search.protocol.TwoPhaseResult;
import org.tribuoadapt.hpo.search.pruner.HyperbandPruner;
import org.tribuoadapt.hpo.search.pruner.MedianPruner;
import org.tribuoadapt.hpo.search.pruner.SuccessiveHalvingPruner;
import org.tribuoadapt.hpo.search.sampler.GpSampler;
import org.tribuoadapt.hpo.search.sampler.GridSampler;
import org.tribuoadapt.hpo.search.sampler.NsgaIISampler;
import org.tribuoadapt.hpo.search.sampler.RandomSampler;
import org.tribuoadapt.hpo.search.sampler.TpeSampler;

import org.tribuoadapt.report.Report;
import org.tribuoadapt.report.ReportFiles;
import org.tribuoadapt.report.ReportWriter;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code hpo study create|run|status|best|export|report}: hyper-parameter studies over the properties of an OLCUT
 * configuration file (tribuo-hpo's search), kept in an Optuna 3.1 journal file that Optuna can open too.
 * <ul>
 *   <li>{@code create --storage F --study NAME --direction maximize|minimize [--direction ...]
 *   [--pruner median|sha|hyperband|none] [--heartbeat-interval S [--grace-period S] [--max-retry N]]}: the pruner
 *   (Optuna 3.1's defaults) and the fault policy (docs/hpo.md, "Faults") are recorded in the study, and later runs
 *   use them; several directions make a multi-objective study (for objectives written in Java or Python; its
 *   status, best trials and export work here)</li>
 *   <li>{@code run --storage F --study NAME -c CONFIG --trainer T --train-source S --valid-source V
 *   --space component.property=kind:args [--space ...] --trials N [--sampler tpe|random|grid|gp|nsga2] [--seed S]
 *   [--grid component.property=v1,v2,... ...] [--pruner median|sha|hyperband|none]
 *   [--metric accuracy|macro_f1|balanced_error_rate] [--heartbeat-interval S [--grace-period S] [--max-retry N]]}:
 *   creates the study if it does not exist yet (with the pruner, none by default, and the fault policy), then runs N
 *   trials, waiting trials (retries of killed trials, enqueued trials) first (several processes may run one study at
 *   once; a grid stops early once every point is taken); {@code --pruner} and the fault options on an existing study
 *   replace the recorded ones for this run</li>
 *   <li>{@code status}, {@code best}: a JSON summary, or the best trial (of a multi-objective study, the Pareto
 *   front)</li>
 *   <li>{@code export [--out trials.csv]}: one CSV row per trial ({@code value}, or {@code values_0, values_1, ...}
 *   as Optuna's {@code trials_dataframe} names them)</li>
 * </ul>
 * and {@code hpo pbt -c CONFIG --trainer T --train-source S --valid-source V --space component.property=kind:args
 * [--space ...] [--population 8] [--interval 1] [--intervals 4] [--quantile 0.25] [--resample 0.25] [--seed 42]
 * [--metric ...] [--out lineage.json] [--report DIR]}: population based training of the configuration's
 * NetworkTrainer (Jaderberg et al. 2017); it prints the winner, its score and its hyper-parameter schedule as JSON,
 * {@code --out} writes every member's lineage, and {@code --report} writes {@code report.json} and
 * {@code report.html} with the lineage section of {@link PbtReport} into a new folder.
 * <p>
 * {@code hpo two-phase --storage F --study NAME -c CONFIG --trainer T --tune-train S --tune-valid V
 * --eval-train S2 --eval-test T2 --space component.property=kind:args [--space ...] --trials N [--sampler ...]
 * [--seed S] [--grid ...] [--metric ...] [--out result.json]}: the two-phase protocol of Cha and Cho (2024): a new
 * study tunes on the first pair of sources, the best values are frozen and trained once on the second pair; it
 * prints both scores and their gap as JSON, and {@code --out} adds both models' provenance and the configuration.
 */
final class HpoCommand implements CliCommand {

    private static final Set<String> REPEATABLE = Set.of("space", "grid", "direction");

    @Override
    public String name() {
        return "hpo";
    }

    @Override
    public String description() {
        return "hyper-parameter studies over a configuration file: hpo study create|run|status|best|export|report, hpo pbt, "
                + "hpo two-phase";
    }

    @Override
    public int run(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("pbt")) {
            pbt(parse(args, 1));
            return 0;
        }
        if (args.length > 0 && args[0].equals("two-phase")) {
            twoPhase(parse(args, 1));
            return 0;
        }
        if (args.length < 2 || !args[0].equals("study")) {
            System.err.println("usage: hpo study create|run|status|best|export|report --storage FILE --study NAME [options],"
                    + " or hpo pbt -c CONFIG --trainer T --train-source S --valid-source V --space ... [options],"
                    + " or hpo two-phase --storage FILE --study NAME -c CONFIG --trainer T --tune-train S --tune-valid V"
                    + " --eval-train S2 --eval-test T2 --space ... --trials N [options]"
                    + " (see docs/hpo.md)");
            return 2;
        }
        Map<String, List<String>> options = parse(args, 2);
        JournalFileStorage storage = new JournalFileStorage(Path.of(required(options, "storage")));
        String study = required(options, "study");
        switch (args[1]) {
            case "create" -> Study.create(study, storage, directions(options), new RandomSampler(0),
                    pruner(optional(options, "pruner", "none")), faults(options).orElse(FaultPolicy.NONE));
            case "run" -> run(options, storage, study);
            case "status" -> System.out.println(status(Study.load(study, storage, new RandomSampler(0))));
            case "best" -> System.out.println(best(Study.load(study, storage, new RandomSampler(0))));
            case "export" -> export(Study.load(study, storage, new RandomSampler(0)), options);
            case "report" -> report(Study.load(study, storage, new RandomSampler(0)), options);
            default -> {
                System.err.println("unknown hpo study command '" + args[1] + "'; commands are create, run, status, best, "
                        + "export, report");
                return 2;
            }
        }
        return 0;
    }

    private static ConfigObjective objective(Map<String, List<String>> options) {
        return new ConfigObjective(Path.of(required(options, "c")), required(options, "trainer"),
                required(options, "train-source"), required(options, "valid-source"),
                metric(options), options.getOrDefault("space", List.of()));
    }

    private static void pbt(Map<String, List<String>> options) throws java.io.IOException {
        PopulationBasedTraining pbt = new PopulationBasedTraining(objective(options),
                Integer.parseInt(optional(options, "population", "8")), Integer.parseInt(optional(options, "interval", "1")),
                Integer.parseInt(optional(options, "intervals", "4")), Double.parseDouble(optional(options, "quantile", "0.25")),
                Double.parseDouble(optional(options, "resample", "0.25")), Long.parseLong(optional(options, "seed", "42")));
        List<String> reportDir = options.get("report");
        if (reportDir != null) {
            ReportWriter.prepare(Path.of(reportDir.get(0)), false);
        }
        PbtResult result = pbt.run();
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode summary = mapper.createObjectNode();
        summary.put("winner", result.winner()).put("score", result.score()).put("segments", result.segments().size());
        segments(summary.putArray("schedule"), result.schedule());
        System.out.println(summary);
        List<String> out = options.get("out");
        if (out != null) {
            ObjectNode lineage = mapper.createObjectNode();
            lineage.put("winner", result.winner()).put("score", result.score()).put("configuration", pbt.toString());
            segments(lineage.putArray("segments"), result.segments());
            AtomicFiles.write(Path.of(out.get(0)), mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(lineage));
        }
        if (reportDir != null) {
            Report report = Report.builder("Population based training")
                    .addSection(PbtReport.section("Lineage", result.segments(), result.winner()))
                    .addProvenance("pbt", result.provenance()).build();
            ReportWriter.write(report, Path.of(reportDir.get(0)));
        }
    }

    private static void segments(ArrayNode array, List<PbtSegment> segments) {
        for (PbtSegment s : segments) {
            ObjectNode json = array.addObject();
            json.put("member", s.member()).put("interval", s.interval()).put("seed", s.seed()).put("score", s.score())
                    .put("start_member", s.startMember()).put("start_interval", s.startInterval());
            ObjectNode params = json.putObject("params");
            s.params().forEach((name, value) -> params.put(name, value.toString()));
        }
    }

    private static void twoPhase(Map<String, List<String>> options) throws java.io.IOException {
        TwoPhaseProtocol protocol = new TwoPhaseProtocol(Path.of(required(options, "c")), required(options, "trainer"),
                required(options, "tune-train"), required(options, "tune-valid"), required(options, "eval-train"),
                required(options, "eval-test"), metric(options), options.getOrDefault("space", List.of()));
        JournalFileStorage storage = new JournalFileStorage(Path.of(required(options, "storage")));
        String name = required(options, "study");
        if (storage.findStudy(name).isPresent()) {
            throw new IllegalArgumentException("study '" + name + "' already exists; phase 1 needs a new study");
        }
        Study study = Study.create(name, storage, protocol.tuningObjective().direction(), sampler(options));
        TwoPhaseResult result = protocol.run(study, Integer.parseInt(required(options, "trials")));
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode summary = mapper.createObjectNode();
        summary.put("study", result.study()).put("direction", result.direction().name().toLowerCase(Locale.ROOT))
                .put("tuning_trials", result.tuningTrials()).put("tuning_best_trial", result.tuningBest().number())
                .put("tuning_score", result.tuningScore()).put("evaluation_score", result.evaluationScore())
                .put("gap", result.gap());
        ObjectNode frozen = summary.putObject("frozen");
        result.frozenValues().forEach((key, value) -> frozen.put(key, value.toString()));
        System.out.println(summary);
        List<String> out = options.get("out");
        if (out != null) {
            summary.put("configuration", result.configuration().orElseThrow().toString())
                    .put("tuning_model_provenance", (String) result.tuningBest().userAttributes()
                            .get(ConfigObjective.PROVENANCE_ATTRIBUTE))
                    .put("evaluation_model_provenance", result.evaluation().modelProvenance().orElseThrow());
            AtomicFiles.write(Path.of(out.get(0)), mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(summary));
        }
    }

    private static ConfigObjective.Metric metric(Map<String, List<String>> options) {
        return ConfigObjective.Metric.valueOf(optional(options, "metric", "accuracy").toUpperCase(Locale.ROOT));
    }

    private static Sampler sampler(Map<String, List<String>> options) {
        long seed = Long.parseLong(optional(options, "seed", "42"));
        String samplerName = optional(options, "sampler", "tpe");
        if (options.containsKey("grid") != samplerName.equals("grid")) {
            throw new IllegalArgumentException("--grid goes with --sampler grid, and --sampler grid needs --grid");
        }
        return switch (samplerName) {
            case "tpe" -> new TpeSampler(seed);
            case "random" -> new RandomSampler(seed);
            case "grid" -> new GridSampler(grid(options.get("grid")), seed);
            case "gp" -> new GpSampler(seed);
            case "nsga2" -> new NsgaIISampler(seed);
            default -> throw new IllegalArgumentException("--sampler must be tpe, random, grid, gp or nsga2, found '"
                    + samplerName + "'");
        };
    }

    private static void run(Map<String, List<String>> options, JournalFileStorage storage, String name) {
        ConfigObjective objective = objective(options);
        Sampler sampler = sampler(options);
        Study study;
        storage.findStudy(name).filter(s -> s.directions().size() > 1).ifPresent(s -> {
            throw new IllegalArgumentException("study '" + name + "' has " + s.directions().size() + " objectives, but "
                    + "hpo study run optimises one validation metric; run multi-objective studies from Java or Optuna");
        });
        Optional<FaultPolicy> faults = faults(options);
        if (storage.findStudy(name).isEmpty()) {
            study = Study.create(name, storage, List.of(objective.direction()), sampler,
                    pruner(optional(options, "pruner", "none")), faults.orElse(FaultPolicy.NONE));
        } else if (options.containsKey("pruner")) {
            study = Study.load(name, storage, sampler, pruner(required(options, "pruner")));
        } else {
            study = Study.load(name, storage, sampler);
        }
        if (faults.isPresent()) {
            study = study.withFaultPolicy(faults.get());
        }
        if (study.direction() != objective.direction()) {
            throw new IllegalArgumentException("study '" + name + "' " + study.direction().name().toLowerCase(Locale.ROOT)
                    + "s, but the metric " + optional(options, "metric", "accuracy") + " is to be "
                    + objective.direction().name().toLowerCase(Locale.ROOT) + "d");
        }
        study.optimize(objective, Integer.parseInt(required(options, "trials")));
        System.out.println(status(study));
    }

    private static String status(Study study) {
        Map<TrialState, Integer> counts = new EnumMap<>(TrialState.class);
        for (Trial t : study.trials()) {
            counts.merge(t.state(), 1, Integer::sum);
        }
        ObjectNode json = new ObjectMapper().createObjectNode();
        json.put("study", study.name());
        if (study.directions().size() > 1) {
            study.directions().forEach(d -> json.withArray("directions").add(d.name().toLowerCase(Locale.ROOT)));
        } else {
            json.put("direction", study.direction().name().toLowerCase(Locale.ROOT));
        }
        json.put("trials", study.trials().size());
        counts.forEach((state, count) -> json.put(state.name().toLowerCase(Locale.ROOT), count));
        if (study.directions().size() > 1) {
            study.bestTrials().forEach(t -> json.withArray("best_trials").add(t.number()));
        } else if (counts.getOrDefault(TrialState.COMPLETE, 0) > 0) {
            Trial best = study.bestTrial();
            json.put("best_trial", best.number()).put("best_value", best.value());
        }
        return json.toString();
    }

    // the best trial, or for a multi-objective study the Pareto front as a JSON array
    private static String best(Study study) {
        ObjectMapper mapper = new ObjectMapper();
        if (study.directions().size() == 1) {
            return trialJson(mapper, study.bestTrial()).toString();
        }
        return mapper.createArrayNode().addAll(study.bestTrials().stream().map(t -> trialJson(mapper, t)).toList()).toString();
    }

    private static ObjectNode trialJson(ObjectMapper mapper, Trial trial) {
        ObjectNode json = mapper.createObjectNode();
        json.put("number", trial.number());
        if (trial.values() != null && trial.values().size() > 1) {
            trial.values().forEach(v -> json.withArray("values").add(v));
        } else {
            json.put("value", trial.value());
        }
        ObjectNode params = json.putObject("params");
        trial.params().forEach((name, value) -> params.put(name, value.toString()));
        return json;
    }

    private static void export(Study study, Map<String, List<String>> options) throws java.io.IOException {
        Set<String> names = new TreeSet<>();
        study.trials().forEach(t -> names.addAll(t.params().keySet()));
        int objectives = study.directions().size();
        StringBuilder csv = new StringBuilder("number,state");
        for (int i = 0; i < objectives; i++) {
            csv.append(objectives == 1 ? ",value" : ",values_" + i);
        }
        names.forEach(n -> csv.append(',').append(n));
        csv.append('\n');
        for (Trial t : study.trials()) {
            csv.append(t.number()).append(',').append(t.state().name());
            for (int i = 0; i < objectives; i++) {
                csv.append(',').append(t.values() == null ? "" : t.values().get(i).toString());
            }
            for (String n : names) {
                Object value = t.params().get(n);
                csv.append(',').append(value == null ? "" : value.toString());
            }
            csv.append('\n');
        }
        List<String> out = options.get("out");
        if (out == null) {
            System.out.print(csv);
        } else {
            AtomicFiles.write(Path.of(out.get(0)), csv.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    // report.json and report.html with the study section in the --out directory
    private static void report(Study study, Map<String, List<String>> options) throws java.io.IOException {
        Path out = Path.of(required(options, "out"));
        ReportWriter.prepare(out, Boolean.parseBoolean(optional(options, "overwrite", "false")));
        Report report = Report.builder("Hyper-parameter study " + study.name())
                .addSection(StudyReport.section("Study " + study.name(), study)).build();
        ReportFiles files = ReportWriter.write(report, out);
        System.out.println(files.html());
    }

    /** {@code --grid component.property=v1,v2,...} entries as the grid sampler's map. */
    private static Map<String, List<String>> grid(List<String> entries) {
        Map<String, List<String>> grid = new LinkedHashMap<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || grid.put(entry.substring(0, eq), List.of(entry.substring(eq + 1).split(","))) != null) {
                throw new IllegalArgumentException("--grid must read component.property=v1,v2,... once per property, found '"
                        + entry + "'");
            }
        }
        return grid;
    }

    // --heartbeat-interval S [--grace-period S] [--max-retry N], or empty when none is given
    private static Optional<FaultPolicy> faults(Map<String, List<String>> options) {
        if (!options.containsKey("heartbeat-interval")) {
            if (options.containsKey("grace-period") || options.containsKey("max-retry")) {
                throw new IllegalArgumentException("--grace-period and --max-retry need --heartbeat-interval");
            }
            return Optional.empty();
        }
        return Optional.of(FaultPolicy.ofSeconds(Double.parseDouble(required(options, "heartbeat-interval")),
                Double.parseDouble(optional(options, "grace-period", "0")),
                Integer.parseInt(optional(options, "max-retry", "0"))));
    }

    private static Pruner pruner(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "median" -> new MedianPruner();
            case "sha" -> new SuccessiveHalvingPruner();
            case "hyperband" -> new HyperbandPruner();
            case "none" -> new NopPruner();
            default -> throw new IllegalArgumentException("--pruner must be median, sha, hyperband or none, found '" + text + "'");
        };
    }

    private static List<Direction> directions(Map<String, List<String>> options) {
        required(options, "direction");
        return options.get("direction").stream().map(HpoCommand::direction).toList();
    }

    private static Direction direction(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "maximize", "maximise" -> Direction.MAXIMIZE;
            case "minimize", "minimise" -> Direction.MINIMIZE;
            default -> throw new IllegalArgumentException("--direction must be maximize or minimize, found '" + text + "'");
        };
    }

    /** {@code --key value} pairs after the subcommand; {@code -c} is the configuration file; --space, --grid and --direction repeat. */
    private static Map<String, List<String>> parse(String[] args, int from) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (int i = from; i < args.length; i += 2) {
            String key = args[i].replaceFirst("^--?", "");
            if (!args[i].startsWith("-") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value, found '" + args[i] + "'");
            }
            List<String> values = out.computeIfAbsent(key, k -> new ArrayList<>());
            if (!values.isEmpty() && !REPEATABLE.contains(key)) {
                throw new IllegalArgumentException("--" + key + " is given twice");
            }
            values.add(args[i + 1]);
        }
        return out;
    }

    private static String required(Map<String, List<String>> options, String key) {
        List<String> values = options.get(key);
        if (values == null) {
            throw new IllegalArgumentException("missing " + (key.length() == 1 ? "-" : "--") + key);
        }
        return values.get(0);
    }

    private static String optional(Map<String, List<String>> options, String key, String fallback) {
        List<String> values = options.get(key);
        return values == null ? fallback : values.get(0);
    }
}
