package org.tribuoadapt.examples.bench.core;

import java.io.PrintStream;
import java.util.List;

/**
 * A benchmark that the command line runs as {@code bench <name> [options]}. It prints one JSON object per
 * measurement, one per line, so that results can be collected and compared with a peer measured in the same run.
 */
public interface BenchmarkCommand {

    /**
     * The subcommand name, e.g. {@code train} or {@code peft}.
     * @return The name.
     */
    String name();

    /**
     * A one-line description for the command line's help.
     * @return The description.
     */
    String description();

    /**
     * Runs the benchmark.
     * @param args The options after {@code bench <name>}, e.g. {@code --model cnn}.
     * @param out Where the JSON lines go.
     * @throws Exception if the benchmark cannot run; the message is shown to the user.
     */
    void run(List<String> args, PrintStream out) throws Exception;
}
