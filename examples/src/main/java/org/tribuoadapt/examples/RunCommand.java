package org.tribuoadapt.examples;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.Option;
import com.oracle.labs.mlrg.olcut.config.Options;
import org.tribuoadapt.pipeline.Pipeline;
import org.tribuoadapt.report.ReportFiles;
import org.tribuoadapt.report.ReportWriter;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * {@code run}: the main job. Loads the pipeline configuration (by default the bundled {@code main-job.xml}),
 * runs every step and writes {@code report.json} and {@code report.html}.
 */
final class RunCommand implements CliCommand {

    /** The configuration bundled in the jar, a copy of {@code examples/configs/main-job.xml}. */
    static final String DEFAULT_CONFIG = "/org/tribuoadapt/examples/configs/main-job.xml";

    /** Options of {@code run}. */
    public static final class RunOptions implements Options {
        @Option(longName = "out", usage = "Output folder for report.json and report.html (default reports/<timestamp>).")
        public Path out;
        @Option(longName = "pipeline", usage = "Name of the Pipeline component in the configuration (default pipeline).")
        public String pipeline = "pipeline";
        @Option(longName = "overwrite", usage = "Replace a report already in the output folder (refused otherwise).")
        public boolean overwrite;
    }

    @Override
    public String name() {
        return "run";
    }

    @Override
    public String description() {
        return "run the main job (default config: the embedded Fashion-MNIST sample) and write the report";
    }

    @Override
    public int run(String[] args) throws Exception {
        RunOptions options = new RunOptions();
        try (ConfigurationManager cm = new ConfigurationManager(args, options, DEFAULT_CONFIG, true)) {
            Path out = options.out != null ? options.out
                    : Paths.get("reports", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            Pipeline pipeline = (Pipeline) cm.lookup(options.pipeline);
            ReportWriter.prepare(out, options.overwrite);
            long start = System.nanoTime();
            ReportFiles files = pipeline.run(out, new CliProgress());
            System.out.printf("wrote %s and %s in %.1f s%n", files.json(), files.html(), (System.nanoTime() - start) / 1e9);
            return 0;
        }
    }
}
