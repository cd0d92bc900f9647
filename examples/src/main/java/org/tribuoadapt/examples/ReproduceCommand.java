package org.tribuoadapt.examples;

import org.tribuoadapt.report.ReportContents;
import org.tribuoadapt.report.ReportReader;
import org.tribuoadapt.reproduce.Reproducer;
import org.tribuoadapt.reproduce.ReproductionCheck;

import java.nio.file.Path;
import java.nio.file.Paths;
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
        if (!report.hasContentDigest()) {
            System.out.println("warning: " + reportPath + " has no contentDigest, so edits to what it displays cannot be"
                    + " detected; only its recorded metrics are checked");
        }
        Map<String, Map<String, Double>> recorded = report.recordedMetrics();
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
}
