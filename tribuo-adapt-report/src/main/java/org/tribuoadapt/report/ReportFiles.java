package org.tribuoadapt.report;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The files written by {@link ReportWriter#write(Report, Path)}.
 *
 * @param json The path of {@code report.json}.
 * @param html The path of {@code report.html}.
 */
public record ReportFiles(Path json, Path html) {

    /**
     * Checks that both paths are present.
     * @param json The path of {@code report.json}.
     * @param html The path of {@code report.html}.
     */
    public ReportFiles {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(html, "html");
    }
}
