package org.tribuoadapt.report;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class ReportReaderTest {

    private static IOException readFails(Path file) {
        IOException e = assertThrows(IOException.class, () -> ReportReader.read(file));
        assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
        return e;
    }

    private static Path write(Path dir, String json) throws IOException {
        return Files.writeString(dir.resolve("report.json"), json);
    }

    @Test
    void missingFileAndDirectory(@TempDir Path tmp) {
        IOException missing = readFails(tmp.resolve("report.json"));
        assertInstanceOf(NoSuchFileException.class, missing);
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        assertTrue(readFails(tmp).getMessage().contains("is a directory"));
    }

    @Test
    void corruptOrEmptyJson(@TempDir Path tmp) throws IOException {
        IOException corrupt = readFails(write(tmp, "{\"format\": \"tribuo-adapt-report\", \"title\": "));
        assertTrue(corrupt.getMessage().contains("is not valid JSON"), corrupt.getMessage());
        assertTrue(corrupt.getMessage().contains("line 1"), corrupt.getMessage());
        assertTrue(readFails(write(tmp, "")).getMessage().contains("is empty"));
        assertTrue(readFails(write(tmp, "[1, 2]")).getMessage().contains("the document is an array"));
    }

    @Test
    void wrongFormatVersionOrFields(@TempDir Path tmp) throws IOException {
        assertTrue(readFails(write(tmp, "{\"format\": \"other\"}")).getMessage()
                .contains("field 'format' is 'other', expected 'tribuo-adapt-report'"));
        assertTrue(readFails(write(tmp, "{\"format\": \"tribuo-adapt-report\", \"formatVersion\": 99}"))
                .getMessage().contains("unsupported formatVersion 99"));
        String noTitle = "{\"format\": \"tribuo-adapt-report\", \"formatVersion\": 1}";
        assertTrue(readFails(write(tmp, noTitle)).getMessage().contains("missing field 'title'"));
        String badSection = "{\"format\": \"tribuo-adapt-report\", \"formatVersion\": 1, \"title\": \"t\","
                + " \"created\": \"2024-05-01T12:00:00Z\", \"environment\": {}, \"sections\": [{\"title\": 3}],"
                + " \"provenance\": {}}";
        IOException e = readFails(write(tmp, badSection));
        assertTrue(e.getMessage().contains("(in section 0)") && e.getMessage().contains("field 'title' is a number"),
                e.getMessage());
        String badTime = badSection.replace("2024-05-01T12:00:00Z", "yesterday");
        assertTrue(readFails(write(tmp, badTime)).getMessage().contains("'created' is not an ISO-8601"));
    }

    @Test
    void brokenProvenanceIsReported(@TempDir Path tmp) throws IOException {
        ReportFixtures fixtures = new ReportFixtures();
        Report report = Report.builder("Broken").addProvenance("source-model", fixtures.model.getProvenance())
                .build();
        ReportFiles files = ReportWriter.write(report, tmp);
        String json = withoutDigest(Files.readString(files.json()))
                .replace("\"org.tribuo.provenance.ModelProvenance\"", "\"org.tribuo.provenance.NoSuchProvenance\"");
        Files.writeString(files.json(), json);
        IOException e = readFails(files.json());
        assertTrue(e.getMessage().contains("provenance entry 'source-model' cannot be unmarshalled"), e.getMessage());
    }

    /** A report as an earlier version wrote it: no content digest. */
    private static String withoutDigest(String json) throws IOException {
        ObjectNode root = (ObjectNode) JsonReportRenderer.mapper().readTree(json);
        root.remove("contentDigest");
        return JsonReportRenderer.mapper().writeValueAsString(root);
    }

    @Test
    void anEditAnywhereIsFoundByTheContentDigest(@TempDir Path tmp) throws IOException {
        ReportFiles files = ReportWriter.write(new ReportFixtures().report(), tmp);
        String written = Files.readString(files.json());
        ReportContents intact = ReportReader.read(files.json());
        assertTrue(intact.hasContentDigest());
        // a displayed table cell, a recorded result, a provenance class name, and mere re-indentation
        String[][] edits = {
                {"\"accuracy\", 0.75", "\"accuracy\", 0.95"},
                {"\"accuracy\" : 0.25", "\"accuracy\" : 0.35"},
                {"\"org.tribuo.provenance.ModelProvenance\"", "\"org.tribuo.provenance.EvaluationProvenance\""}};
        for (String[] edit : edits) {
            assertTrue(written.contains(edit[0]), edit[0] + " is not in " + written);
            IOException e = readFails(write(tmp, written.replace(edit[0], edit[1])));
            assertTrue(e.getMessage().contains("its contents changed after it was written"), e.getMessage());
        }
        ReportReader.read(write(tmp, JsonReportRenderer.mapper().writer().withoutFeatures(
                SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(JsonReportRenderer.mapper().readTree(written))));
        ReportContents old = ReportReader.read(write(tmp, withoutDigest(written)));
        assertFalse(old.hasContentDigest());
    }
}
