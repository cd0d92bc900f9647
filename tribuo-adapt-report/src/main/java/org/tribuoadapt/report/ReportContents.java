package org.tribuoadapt.report;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link ReportReader} reads back from a {@code report.json}: the title, creation time, environment, each
 * section's JSON and results, and the fully unmarshalled provenance entries.
 * <p>
 * Results come back as Jackson trees ({@link #results(String)}) or as plain Java maps
 * ({@link #resultsAsMap(String)}). In the maps, JSON integers become {@link Integer} (or {@link Long} /
 * {@link java.math.BigInteger} when too large), other numbers {@link Double}, and lists {@link java.util.List};
 * so a results map built from {@code Integer}, {@code Double}, {@code String}, {@code Boolean}, lists and maps
 * reads back equal, while e.g. a small {@code Long} reads back as an {@code Integer}. Non-finite doubles read
 * back as the strings {@code "NaN"}, {@code "Infinity"} and {@code "-Infinity"}.
 */
public final class ReportContents {

    private static final TypeReference<Map<String, Object>> MAP_TYPE = new TypeReference<>() {};

    private final Path file;
    private final JsonNode json;
    private final String title;
    private final OffsetDateTime created;
    private final Map<String, String> environment;
    private final Map<String, ObjectNode> sections;
    private final Map<String, ObjectProvenance> provenance;

    /**
     * Creates the contents; {@link ReportReader} has already checked every part.
     * @param file The file read.
     * @param json The whole document.
     * @param title The report title.
     * @param created The creation time.
     * @param environment The environment facts.
     * @param sections The section objects by title.
     * @param provenance The unmarshalled provenance entries by name.
     */
    ReportContents(Path file, JsonNode json, String title, OffsetDateTime created, Map<String, String> environment,
                   Map<String, ObjectNode> sections, Map<String, ObjectProvenance> provenance) {
        this.file = file;
        this.json = json;
        this.title = title;
        this.created = created;
        this.environment = environment;
        this.sections = sections;
        this.provenance = provenance;
    }

    /**
     * The file this was read from.
     * @return The path of the JSON report.
     */
    public Path file() {
        return file;
    }

    /**
     * The report title.
     * @return The title.
     */
    public String title() {
        return title;
    }

    /**
     * The report's creation time.
     * @return The creation time, with its original offset.
     */
    public OffsetDateTime created() {
        return created;
    }

    /**
     * The environment facts, in file order.
     * @return An unmodifiable map of facts.
     */
    public Map<String, String> environment() {
        return environment;
    }

    /**
     * The section titles, in file order.
     * @return An unmodifiable list of titles.
     */
    public List<String> sectionTitles() {
        return List.copyOf(sections.keySet());
    }

    /**
     * The whole JSON object of one section (title, text, tables, charts and results).
     * @param sectionTitle The section title.
     * @return A copy of the section's JSON.
     * @throws IllegalArgumentException If there is no such section; the message lists the sections.
     */
    public ObjectNode section(String sectionTitle) {
        ObjectNode section = sections.get(sectionTitle);
        if (section == null) {
            throw new IllegalArgumentException("Report file " + file + " has no section titled '" + sectionTitle
                    + "'; its sections are " + sections.keySet());
        }
        return section.deepCopy();
    }

    /**
     * The results of one section as a JSON tree.
     * @param sectionTitle The section title.
     * @return A copy of the section's {@code results} object.
     * @throws IllegalArgumentException If there is no such section.
     */
    public ObjectNode results(String sectionTitle) {
        return (ObjectNode) section(sectionTitle).get(JsonFields.RESULTS);
    }

    /**
     * The results of one section as nested Java maps and lists (see the class documentation for the types).
     * @param sectionTitle The section title.
     * @return A mutable map of the section's results, in file order.
     * @throws IllegalArgumentException If there is no such section.
     */
    public Map<String, Object> resultsAsMap(String sectionTitle) {
        return JsonReportRenderer.mapper().convertValue(results(sectionTitle), MAP_TYPE);
    }

    /**
     * The provenance entries, unmarshalled into the original provenance classes.
     * @return An unmodifiable map from entry name to provenance, in file order.
     */
    public Map<String, ObjectProvenance> provenance() {
        return provenance;
    }

    /**
     * The metrics recorded next to provenance entries: every section result that shares its name with a provenance
     * entry and holds a map of numbers (how steps record the metrics of an evaluation, so that reproduction can
     * recompute and compare them).
     * @return Entry name to metric name to value.
     */
    public Map<String, Map<String, Double>> recordedMetrics() {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (String section : sectionTitles()) {
            results(section).fields().forEachRemaining(field -> {
                JsonNode value = field.getValue();
                if (value.isObject() && provenance.containsKey(field.getKey())) {
                    Map<String, Double> metrics = new LinkedHashMap<>();
                    value.fields().forEachRemaining(m -> metrics.put(m.getKey(), m.getValue().asDouble()));
                    out.put(field.getKey(), metrics);
                }
            });
        }
        return out;
    }

    /**
     * Whether the report carries a content digest (every report this version writes does; {@link ReportReader}
     * has checked it). Without one, edits to what the report displays cannot be detected.
     * @return True when the document has a {@code contentDigest}.
     */
    public boolean hasContentDigest() {
        return json.has(JsonFields.CONTENT_DIGEST);
    }

    /**
     * The whole JSON document.
     * @return A copy of the parsed document.
     */
    public JsonNode json() {
        return json.deepCopy();
    }
}
