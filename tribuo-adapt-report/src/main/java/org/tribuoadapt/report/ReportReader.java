package org.tribuoadapt.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.io.ProvenanceSerializationException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.tribuoadapt.report.JsonFields.*;

/**
 * Reads a {@code report.json} written by {@link ReportWriter} back into {@link ReportContents}, unmarshalling
 * its provenance entries so that models can be rebuilt from them.
 */
public final class ReportReader {

    private ReportReader() {}

    /**
     * Reads and checks a JSON report.
     * @param reportJson The path of a {@code report.json} file.
     * @return The contents.
     * @throws NoSuchFileException If the file does not exist.
     * @throws IOException If the file cannot be read, is not JSON, is not a Tribuo Adapt report of a supported
     *     version, lacks a required field, was changed after it was written (its content digest does not match), or
     *     a provenance entry cannot be unmarshalled; the message names the file and the problem.
     */
    public static ReportContents read(Path reportJson) throws IOException {
        if (!Files.exists(reportJson)) {
            throw new NoSuchFileException(reportJson.toString(), null, "report file does not exist");
        }
        if (Files.isDirectory(reportJson)) {
            throw new IOException("Report file " + reportJson + " is a directory, expected a JSON file");
        }
        JsonNode root = parse(reportJson);
        Checker check = new Checker(reportJson, "");
        if (!root.isObject()) {
            throw check.error("the document is " + describe(root.getNodeType()) + ", expected an object");
        }
        if (root.has(CONTENT_DIGEST)) {
            String recorded = check.field(root, CONTENT_DIGEST, JsonNodeType.STRING).asText();
            if (!recorded.equals(ReportDigest.of(root))) {
                throw check.error("its contents changed after it was written: they no longer match its contentDigest "
                        + recorded + " (a report is checked exactly as it was written; rerun to get a new one)");
            }
        }
        String format = check.field(root, FORMAT, JsonNodeType.STRING).asText();
        if (!FORMAT_NAME.equals(format)) {
            throw check.error("field 'format' is '" + format + "', expected '" + FORMAT_NAME + "'");
        }
        JsonNode version = check.field(root, FORMAT_VERSION_FIELD, JsonNodeType.NUMBER);
        if (!version.isInt() || version.asInt() < 1 || version.asInt() > FORMAT_VERSION) {
            throw check.error("unsupported formatVersion " + version + ", this reader supports 1 to "
                    + FORMAT_VERSION);
        }
        String title = check.field(root, TITLE, JsonNodeType.STRING).asText();
        OffsetDateTime created = check.time(root, CREATED);
        Map<String, String> environment = new LinkedHashMap<>();
        JsonNode environmentJson = check.field(root, ENVIRONMENT, JsonNodeType.OBJECT);
        Checker environmentCheck = check.in("environment");
        for (String key : fieldNames(environmentJson)) {
            environment.put(key, environmentCheck.field(environmentJson, key, JsonNodeType.STRING).asText());
        }
        Map<String, ObjectNode> sections = new LinkedHashMap<>();
        int index = 0;
        for (JsonNode section : check.field(root, SECTIONS, JsonNodeType.ARRAY)) {
            Checker sectionCheck = check.in("section " + index++);
            if (!section.isObject()) {
                throw sectionCheck.error("it is " + describe(section.getNodeType()) + ", expected an object");
            }
            String sectionTitle = sectionCheck.field(section, TITLE, JsonNodeType.STRING).asText();
            sectionCheck.field(section, RESULTS, JsonNodeType.OBJECT);
            if (sections.put(sectionTitle, (ObjectNode) section) != null) {
                throw check.error("two sections are titled '" + sectionTitle + "'");
            }
        }
        Map<String, ObjectProvenance> provenance = new LinkedHashMap<>();
        JsonNode provenanceJson = check.field(root, PROVENANCE, JsonNodeType.OBJECT);
        Checker provenanceCheck = check.in("provenance");
        for (String name : fieldNames(provenanceJson)) {
            JsonNode entry = provenanceCheck.field(provenanceJson, name, JsonNodeType.ARRAY);
            provenance.put(name, unmarshal(check, name, entry));
        }
        return new ReportContents(reportJson, root, title, created, Collections.unmodifiableMap(environment),
                Collections.unmodifiableMap(sections), Collections.unmodifiableMap(provenance));
    }

    private static JsonNode parse(Path reportJson) throws IOException {
        try (InputStream in = Files.newInputStream(reportJson)) {
            JsonNode root = JsonReportRenderer.mapper().readTree(in);
            if (root == null || root.isMissingNode()) {
                throw new IOException("Report file " + reportJson + " is empty");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new IOException("Report file " + reportJson + " is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")"), e);
        }
    }

    private static ObjectProvenance unmarshal(Checker check, String name, JsonNode json) throws IOException {
        try {
            return ProvenanceJson.fromJson(json, JsonReportRenderer.mapper());
        } catch (ProvenanceSerializationException | JsonProcessingException | RuntimeException e) {
            throw check.error("provenance entry '" + name + "' cannot be unmarshalled: " + e, e);
        }
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String describe(JsonNodeType type) {
        return type == JsonNodeType.STRING ? "a string"
                : type == JsonNodeType.OBJECT ? "an object"
                : type == JsonNodeType.ARRAY ? "an array"
                : type == JsonNodeType.NUMBER ? "a number"
                : type.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Checks the presence and types of fields, producing messages that name the file and the place in it.
     */
    private record Checker(Path file, String context) {

        Checker in(String place) {
            return new Checker(file, context.isEmpty() ? place : context + ", " + place);
        }

        IOException error(String problem) {
            return error(problem, null);
        }

        IOException error(String problem, Exception cause) {
            String where = context.isEmpty() ? "" : " (in " + context + ")";
            return new IOException("Report file " + file + " is not a valid report" + where + ": " + problem, cause);
        }

        JsonNode field(JsonNode parent, String name, JsonNodeType type) throws IOException {
            JsonNode value = parent.get(name);
            if (value == null) {
                throw error("missing field '" + name + "'");
            }
            if (value.getNodeType() != type) {
                throw error("field '" + name + "' is " + describe(value.getNodeType()) + ", expected "
                        + describe(type));
            }
            return value;
        }

        OffsetDateTime time(JsonNode parent, String name) throws IOException {
            String value = field(parent, name, JsonNodeType.STRING).asText();
            try {
                return OffsetDateTime.parse(value);
            } catch (DateTimeParseException e) {
                throw error("field '" + name + "' is not an ISO-8601 date-time with offset: '" + value + "'", e);
            }
        }
    }
}
