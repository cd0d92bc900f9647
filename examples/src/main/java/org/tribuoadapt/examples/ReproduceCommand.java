package org.tribuoadapt.examples;

import com.fasterxml.jackson.databind.JsonNode;
import org.tribuoadapt.core.report.ReportContents;
import org.tribuoadapt.core.report.ReportReader;
import org.tribuoadapt.core.reproduce.ReproductionCheck;
import org.tribuoadapt.core.reproduce.Reproducer;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code reproduce <report.json>}: retrains every model recorded in a report from its provenance, recomputes every
 * recorded evaluation, and compares weights, metrics and provenance. Exits with 0 when everything matches.
 */
final class ReproduceCommand implements CliCommand {

    @Override
    public String name() {
        return "reproduce";
    }

    @Override
    public String description() {
        return "retrain and re-evaluate everything recorded in a report.json; exit 0 when all of it matches";
    }

    @Override
    public int run(String[] args) throws Exception {
        if (args.length != 1 || args[0].startsWith("-")) {
            throw new IllegalArgumentException("usage: reproduce <report.json>");
        }
        Path reportPath = Paths.get(args[0]);
        ReportContents report = ReportReader.read(reportPath);
        Map<String, Map<String, Double>> recorded = recordedMetrics(report);
        List<ReproductionCheck> checks = Reproducer.reproduce(report.provenance(), recorded::get);
        boolean all = true;
        for (ReproductionCheck check : checks) {
            all &= check.passed();
            System.out.println((check.passed() ? "[match]  " : "[DIFFER] ") + check.name());
            check.details().forEach(d -> System.out.println("           " + d));
        }
        System.out.println(all ? "reproduced " + checks.size() + " recorded results exactly"
                : "some recorded results were not reproduced");
        return all && !checks.isEmpty() ? 0 : 1;
    }

    /**
     * Collects every section result that is a map of numbers, by result name: that is how steps record the metrics of
     * an evaluation next to its provenance entry of the same name.
     */
    private static Map<String, Map<String, Double>> recordedMetrics(ReportContents report) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (String section : report.sectionTitles()) {
            report.results(section).fields().forEachRemaining(field -> {
                JsonNode value = field.getValue();
                if (value.isObject() && report.provenance().containsKey(field.getKey())) {
                    Map<String, Double> metrics = new LinkedHashMap<>();
                    value.fields().forEachRemaining(m -> metrics.put(m.getKey(), m.getValue().asDouble()));
                    out.put(field.getKey(), metrics);
                }
            });
        }
        return out;
    }
}
