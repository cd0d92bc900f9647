package org.tribuoadapt.report;

import org.tribuoadapt.core.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a {@link Report} as {@code report.json} and {@code report.html} into a directory, atomically.
 * <p>
 * Both documents are rendered in memory first, so a rendering error writes nothing. Both are then written to
 * uniquely named {@code .tmp} files in the output directory and forced to disk, and only then moved over their
 * final names with {@link StandardCopyOption#ATOMIC_MOVE} ({@link AtomicFiles#writeAll}): a failure while writing,
 * such as a full disk, leaves neither file changed and no temporary file behind. The HTML file is moved into place
 * before the JSON file, so a present {@code report.json} (the file programs read) implies the matching
 * {@code report.html}. {@link #prepare} checks an output directory before any work is done.
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
        Map<Path, byte[]> contents = new LinkedHashMap<>();
        contents.put(files.html(), html.getBytes(StandardCharsets.UTF_8));
        contents.put(files.json(), json.getBytes(StandardCharsets.UTF_8));
        AtomicFiles.writeAll(contents);
        return files;
    }

    /**
     * Checks, before any work, that a report can be written to a directory: it is a directory or can be created,
     * files can be created in it, and (unless {@code overwrite}) it holds no report yet.
     * @param outputDir The output directory; created (with parents) if it does not exist.
     * @param overwrite Whether an existing report may be replaced.
     * @throws IOException naming the directory and what is wrong with it.
     */
    public static void prepare(Path outputDir, boolean overwrite) throws IOException {
        Path dir = createDirectory(outputDir);
        for (String name : new String[] {JSON_FILE, HTML_FILE}) {
            if (!overwrite && Files.exists(dir.resolve(name))) {
                throw new IOException("'" + dir + "' already holds a report (" + name + "); choose another folder or "
                        + "allow replacing it (--overwrite)");
            }
        }
        try {
            Files.delete(Files.createTempFile(dir, ".write-check", TEMP_SUFFIX));
        } catch (IOException e) {
            throw new IOException("cannot write in the report folder '" + dir + "': " + e.getMessage(), e);
        }
    }

    private static Path createDirectory(Path outputDir) throws IOException {
        if (Files.exists(outputDir) && !Files.isDirectory(outputDir)) {
            throw new IOException("cannot write a report to '" + outputDir + "': it exists and is not a directory");
        }
        try {
            return Files.createDirectories(outputDir);
        } catch (IOException e) {
            throw new IOException("cannot create the report folder '" + outputDir + "': " + e.getMessage(), e);
        }
    }
}
