package org.tribuoadapt.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ReportWriterTest {

    private static ReportFixtures fixtures;
    private static Report report;

    @BeforeAll
    static void setUp() {
        fixtures = new ReportFixtures();
        report = fixtures.report();
    }

    private static List<String> fileNames(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesBothFilesAndNoTemporaries(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("run/output");
        ReportFiles files = ReportWriter.write(report, dir);
        assertEquals(dir.resolve("report.json"), files.json());
        assertEquals(dir.resolve("report.html"), files.html());
        assertTrue(Files.isRegularFile(files.json()));
        assertTrue(Files.isRegularFile(files.html()));
        assertEquals(List.of("report.html", "report.json"), fileNames(dir));
        // Overwriting an existing report replaces both files and still leaves no temporaries.
        Report other = Report.builder("Second run").created(ReportFixtures.CREATED).build();
        ReportWriter.write(other, dir);
        assertEquals(List.of("report.html", "report.json"), fileNames(dir));
        assertEquals("Second run", ReportReader.read(files.json()).title());
    }

    @Test
    void htmlIsSelfContainedAndEscaped(@TempDir Path tmp) throws IOException {
        String html = Files.readString(ReportWriter.write(report, tmp).html());
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertTrue(html.contains("<svg"), "charts are inline SVG");
        assertEquals(3, count(html, "<svg "), "one SVG per chart");
        assertTrue(html.contains("<style>"));
        assertFalse(html.contains("<link"));
        assertFalse(html.contains("<script"), "no scripts at all, escaped text included");
        assertFalse(html.contains("<img"));
        assertFalse(html.contains("url(http"));
        String withoutNamespaces = html.replaceAll("xmlns(:\\w+)?=['\"][^'\"]*['\"]", "");
        assertFalse(withoutNamespaces.contains("http://"), () -> context(withoutNamespaces, "http://"));
        assertFalse(withoutNamespaces.contains("https://"), () -> context(withoutNamespaces, "https://"));

        // Escaping of every kind of text.
        assertTrue(html.contains("<title>Tiny &lt;pipeline&gt; &amp; report</title>"));
        assertTrue(html.contains("<td>&lt;b&gt;&amp;</td>"), "table cell");
        assertTrue(html.contains("<caption>Metrics &lt;b&gt;&amp;</caption>"), "table caption");
        assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; friends."), "text");
        assertFalse(html.contains("<b>&"));
        assertTrue(html.contains("train &lt;loss&gt;"), "series name inside SVG is escaped");
        assertTrue(html.contains("most-frequent &lt;dummy&gt;"), "results JSON is escaped");

        // Number formatting with full precision in the tooltip.
        assertTrue(html.contains("<td class=\"num\" title=\"1234.56789\">1235</td>"), html);
        assertTrue(html.contains("<td class=\"num\" title=\"0.75\">0.7500</td>"));
        assertTrue(html.contains("<td class=\"num\">4</td>"));

        // Header, environment, contents and provenance.
        assertTrue(html.contains("datetime=\"2024-05-01T12:30:15.123+02:00\""));
        assertTrue(html.contains("<th scope=\"row\">java.version</th>"));
        assertTrue(html.contains("<a href=\"#section-2\">Robustness</a>"));
        assertTrue(html.contains("<details class=\"provenance\"><summary>Provenance</summary>"));
        assertTrue(html.contains("source-model &mdash; <code>" + fixtures.model.getProvenance().getClassName()));
        assertTrue(html.contains("org.tribuo.classification.baseline.DummyClassifierTrainer"));
        assertTrue(html.contains("hand-made examples"));
    }

    @Test
    void svgIdsAreUniqueAndDeterministic(@TempDir Path tmp) throws IOException {
        String html = Files.readString(ReportWriter.write(report, tmp.resolve("a")).html());
        String again = Files.readString(ReportWriter.write(report, tmp.resolve("b")).html());
        assertEquals(html, again, "same report, same HTML");
        Matcher ids = Pattern.compile(" id='([^']*)'").matcher(html);
        Set<String> seen = new HashSet<>();
        while (ids.find()) {
            assertTrue(seen.add(ids.group(1)), "duplicate id " + ids.group(1));
        }
        assertTrue(seen.contains("chart-1-2"));
        assertTrue(seen.contains("chart-2-1"));
        assertTrue(seen.stream().anyMatch(id -> id.startsWith("chart-2-2-clip-")), seen.toString());
    }

    @Test
    void jsonRoundTripsResultsAndProvenance(@TempDir Path tmp) throws IOException {
        ReportFiles files = ReportWriter.write(report, tmp);
        JsonNode json = new ObjectMapper().readTree(files.json().toFile());
        assertEquals("tribuo-adapt-report", json.get("format").asText());
        assertEquals(1, json.get("formatVersion").asInt());
        assertEquals("Tiny <pipeline> & report", json.get("title").asText());
        assertEquals("2024-05-01T12:30:15.123+02:00", json.get("created").asText());
        assertEquals(2, json.get("sections").size());

        JsonNode training = json.get("sections").get(0);
        assertEquals(List.of("Metric", "Value"),
                List.of(training.at("/tables/0/columns/0").asText(), training.at("/tables/0/columns/1").asText()));
        assertEquals(1234.56789, training.at("/tables/0/rows/1/1").doubleValue());
        JsonNode line = training.at("/charts/0");
        assertEquals("line", line.get("type").asText());
        assertEquals("epoch", line.get("xLabel").asText());
        assertEquals("train <loss>", line.at("/series/0/name").asText());
        assertEquals("NaN", line.at("/series/0/y/2").asText(), "NaN kept in JSON as a string");
        assertEquals(3.0, line.at("/series/1/x/2").asDouble(), "default x values are 1..n");
        JsonNode bar = json.at("/sections/1/charts/0");
        assertEquals("bar", bar.get("type").asText());
        assertEquals("shift", bar.at("/categories/2").asText());
        assertEquals(0.7, bar.at("/series/1/values/1").asDouble());
        assertTrue(json.at("/sections/1/charts/1/logX").asBoolean());
        assertEquals(0.31234567890123456, training.at("/results/losses/2").doubleValue(), 0.0, "full precision");

        ReportContents contents = ReportReader.read(files.json());
        assertEquals(report.title(), contents.title());
        assertEquals(ReportFixtures.CREATED, contents.created());
        assertEquals(report.environment(), contents.environment());
        assertEquals(List.of("Training", "Robustness"), contents.sectionTitles());
        assertEquals(ReportFixtures.trainingResults(), contents.resultsAsMap("Training"));
        assertEquals(Map.of("worstCase", Map.of("perturbation", "shift", "accuracy", 0.25)),
                contents.resultsAsMap("Robustness"));
        assertEquals(0.75, contents.results("Training").get("accuracy").doubleValue());
        assertEquals(List.of("source-model", "source-evaluation"), List.copyOf(contents.provenance().keySet()));
        assertEquals(fixtures.model.getProvenance(), contents.provenance().get("source-model"));
        assertEquals(fixtures.evaluation.getProvenance(), contents.provenance().get("source-evaluation"));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> contents.results("Nope"));
        assertTrue(unknown.getMessage().contains("'Nope'") && unknown.getMessage().contains("Training"));
    }

    @Test
    void outputPathThatIsAFileFailsWithoutPartialFiles(@TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        IOException e = assertThrows(IOException.class, () -> ReportWriter.write(report, file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
        assertEquals(List.of("not-a-dir"), fileNames(tmp));
        assertEquals("x", Files.readString(file));
    }

    @Test
    void failedMoveDeletesTemporaryFiles(@TempDir Path tmp) throws IOException {
        // report.html is a non-empty directory, so moving the finished HTML into place fails after both
        // temporary files have been written.
        Files.createDirectories(tmp.resolve("report.html/blocker"));
        IOException e = assertThrows(IOException.class, () -> ReportWriter.write(report, tmp));
        assertTrue(e.getMessage().contains("report.html"), e.getMessage());
        assertEquals(List.of("report.html"), fileNames(tmp), "no temporaries and no report.json");
        assertEquals(List.of("blocker"), fileNames(tmp.resolve("report.html")));
    }

    @Test
    void readOnlyDirectoryFailsWithoutPartialFiles(@TempDir Path tmp) throws IOException {
        assumeTrue(tmp.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path dir = Files.createDirectory(tmp.resolve("read-only"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeFalse(Files.isWritable(dir), "running as a user who can write anyway (e.g. root)");
            assertThrows(IOException.class, () -> ReportWriter.write(report, dir));
            assertEquals(List.of(), fileNames(dir));
        } finally {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static int count(String text, String needle) {
        int count = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            count++;
        }
        return count;
    }

    private static String context(String text, String needle) {
        int i = text.indexOf(needle);
        return text.substring(Math.max(0, i - 200), Math.min(text.length(), i + 200));
    }
}
