package org.tribuoadapt.core.report;

import org.tribuoadapt.core.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;

/**
 * Writes a {@link Report} as {@code report.json} and {@code report.html} into a directory, atomically.
 * <p>
 * Both documents are rendered in memory first, so a rendering error writes nothing. Each is then written to a
 * uniquely named {@code .tmp} file in the output directory, forced to disk, and moved over its final name with
 * {@link StandardCopyOption#ATOMIC_MOVE} and {@link StandardCopyOption#REPLACE_EXISTING}; readers therefore see
 * either the old or the new complete file, never a partial one. On any failure the temporary files are deleted
 * and the exception is rethrown. The HTML file is moved into place before the JSON file, so a present
 * {@code report.json} (the file programs read) implies the matching {@code report.html} was also written; if the
 * JSON move fails after the HTML move succeeded, the directory holds the new HTML next to the previous JSON (if
 * any).
 */
public final class ReportWriter {

    /** The name of the JSON report file. */
    public static final String JSON_FILE = "report.json";
    /** The name of the HTML report file. */
    public static final String HTML_FILE = "report.html";
    /** The suffix of temporary files written before the atomic moves. */
    public static final String TEMP_SUFFIX = AtomicFiles.TEMP_SUFFIX;

    private ReportWriter() {}

    /**
     * Writes the report with a default {@link HtmlReportRenderer}.
     * @param report The report.
     * @param outputDir The output directory; created (with parents) if it does not exist.
     * @return The paths of the two files.
     * @throws IOException If the directory cannot be created or is not a directory, or a file cannot be written
     *     or moved into place; no temporary file is left behind.
     */
    public static ReportFiles write(Report report, Path outputDir) throws IOException {
        return write(report, outputDir, new HtmlReportRenderer());
    }

    /**
     * Writes the report, rendering the HTML with the given renderer.
     * @param report The report.
     * @param outputDir The output directory; created (with parents) if it does not exist.
     * @param htmlRenderer The HTML renderer.
     * @return The paths of the two files.
     * @throws IOException If the directory cannot be created or is not a directory, or a file cannot be written
     *     or moved into place; no temporary file is left behind.
     */
    public static ReportFiles write(Report report, Path outputDir, HtmlReportRenderer htmlRenderer)
            throws IOException {
        Objects.requireNonNull(report, "report");
        Objects.requireNonNull(outputDir, "outputDir");
        String json = JsonReportRenderer.render(report);
        String html = htmlRenderer.render(report);
        Path dir = createDirectory(outputDir);
        ReportFiles files = new ReportFiles(dir.resolve(JSON_FILE), dir.resolve(HTML_FILE));
        AtomicFiles.write(files.html(), html.getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(files.json(), json.getBytes(StandardCharsets.UTF_8));
        return files;
    }

    private static Path createDirectory(Path outputDir) throws IOException {
        if (Files.exists(outputDir) && !Files.isDirectory(outputDir)) {
            throw new IOException("Cannot write report to " + outputDir + ": it exists and is not a directory");
        }
        try {
            return Files.createDirectories(outputDir);
        } catch (IOException e) {
            throw new IOException("Cannot create report directory " + outputDir + ": " + e, e);
        }
    }
}
