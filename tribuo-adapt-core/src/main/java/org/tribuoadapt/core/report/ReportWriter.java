package org.tribuoadapt.core.report;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

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
    public static final String TEMP_SUFFIX = ".tmp";

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
        List<Path> temporary = new ArrayList<>(2);
        try {
            Path htmlTemp = writeTemporary(dir, HTML_FILE, html, temporary);
            Path jsonTemp = writeTemporary(dir, JSON_FILE, json, temporary);
            moveIntoPlace(htmlTemp, files.html());
            temporary.remove(htmlTemp);
            moveIntoPlace(jsonTemp, files.json());
            temporary.remove(jsonTemp);
            return files;
        } catch (IOException | RuntimeException | Error e) {
            for (Path temp : temporary) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException | RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
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

    private static Path writeTemporary(Path dir, String name, String content, List<Path> created)
            throws IOException {
        String unique = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
        Path temp = dir.resolve(name + "." + unique + TEMP_SUFFIX);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            created.add(temp);
            ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        } catch (IOException e) {
            throw new IOException("Cannot write temporary report file " + temp + ": " + e, e);
        }
        return temp;
    }

    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new IOException("Cannot move " + temp.getFileName() + " into place as " + target + ": " + e, e);
        }
    }
}
