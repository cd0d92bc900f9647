package org.tribuoadapt.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.UncheckedIOException;
import java.time.format.DateTimeFormatter;
import java.util.List;

import static org.tribuoadapt.report.JsonFields.*;

/**
 * Renders a {@link Report} as the {@code report.json} document.
 * <p>
 * The structure (format version 1) is:
 * <pre>{@code
 * {
 *   "format": "tribuo-adapt-report",
 *   "formatVersion": 1,
 *   "title": "...",
 *   "created": "2024-05-01T12:00:00.123+01:00",          // ISO-8601 with offset
 *   "environment": { "java.version": "17.0.15", ... },    // insertion order
 *   "sections": [
 *     {
 *       "title": "...",
 *       "text": [ "paragraph", ... ],
 *       "tables": [ { "caption": "...", "columns": [ "...", ... ], "rows": [ [ "cell", 0.25, ... ], ... ] } ],
 *       "charts": [
 *         { "title": "...", "type": "line", "xLabel": "...", "yLabel": "...", "logX": false, "logY": false,
 *           "series": [ { "name": "...", "x": [ ... ], "y": [ ... ] } ] },
 *         { "title": "...", "type": "bar", "xLabel": "...", "yLabel": "...", "logY": false,
 *           "categories": [ "...", ... ], "series": [ { "name": "...", "values": [ ... ] } ] },
 *         { "title": "...", "type": "grid", "xLabel": "...", "yLabel": "...", "columns": [ "...", ... ],
 *           "rows": [ "...", ... ], "categories": [ "...", ... ], "cells": [ [ "category or null", ... ], ... ],
 *           "texts": [ [ "text or null", ... ], ... ] }
 *       ],
 *       "results": { "accuracy": 0.93, "perClass": { ... }, ... }
 *     }
 *   ],
 *   "provenance": { "source-model": [ ...OLCUT marshalled provenance objects... ] },
 *   "contentDigest": "9f86d0..."                          // SHA-256 of all the above (ReportDigest)
 * }
 * }</pre>
 * Tables and charts are listed separately, each in the order it was added to its section. Numbers are written
 * with full precision (shortest round-tripping decimal for doubles); non-finite doubles are written as the
 * strings {@code "NaN"}, {@code "Infinity"} and {@code "-Infinity"}. Each provenance value is the JSON that
 * OLCUT's {@code JsonProvenanceSerialization} writes for {@code ProvenanceUtil.marshalProvenance(provenance)}.
 */
public final class JsonReportRenderer {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private JsonReportRenderer() {}

    /**
     * Renders the report as pretty-printed JSON text ending with its content digest.
     * @param report The report.
     * @return The JSON document.
     */
    public static String render(Report report) {
        try {
            ObjectNode root = toJson(report);
            // the digest is taken over the document as a reader will parse it
            root.put(CONTENT_DIGEST, ReportDigest.of(MAPPER.readTree(MAPPER.writeValueAsString(root))));
            return MAPPER.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("Failed to write report '" + report.title() + "' as JSON", e);
        }
    }

    /**
     * Converts the report to a JSON tree with the structure described in the class documentation.
     * @param report The report.
     * @return The JSON tree.
     */
    public static ObjectNode toJson(Report report) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put(FORMAT, FORMAT_NAME);
        root.put(FORMAT_VERSION_FIELD, FORMAT_VERSION);
        root.put(TITLE, report.title());
        root.put(CREATED, report.created().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        ObjectNode environment = root.putObject(ENVIRONMENT);
        report.environment().forEach(environment::put);
        ArrayNode sections = root.putArray(SECTIONS);
        for (ReportSection section : report.sections()) {
            sections.add(sectionJson(section));
        }
        ObjectNode provenance = root.putObject(PROVENANCE);
        report.provenance().forEach((name, p) -> provenance.set(name, ProvenanceJson.toJson(p, MAPPER)));
        return root;
    }

    private static ObjectNode sectionJson(ReportSection section) {
        ObjectNode json = MAPPER.createObjectNode();
        json.put(TITLE, section.title());
        addStrings(json.putArray(TEXT), section.text());
        ArrayNode tables = json.putArray(TABLES);
        for (ReportTable table : section.tables()) {
            ObjectNode t = tables.addObject();
            t.put(CAPTION, table.caption());
            addStrings(t.putArray(COLUMNS), table.columns());
            ArrayNode rows = t.putArray(ROWS);
            for (List<Object> row : table.rows()) {
                rows.add(MAPPER.valueToTree(row));
            }
        }
        ArrayNode charts = json.putArray(CHARTS);
        for (ReportChart chart : section.charts()) {
            charts.add(chartJson(chart));
        }
        json.set(RESULTS, MAPPER.valueToTree(section.results()));
        return json;
    }

    private static ObjectNode chartJson(ReportChart chart) {
        ObjectNode json = MAPPER.createObjectNode();
        json.put(TITLE, chart.title());
        json.put(TYPE, chart.type().jsonName());
        json.put(X_LABEL, chart.xLabel());
        json.put(Y_LABEL, chart.yLabel());
        if (chart instanceof LineChart line) {
            json.put(LOG_X, line.logX());
            json.put(LOG_Y, line.logY());
            ArrayNode series = json.putArray(SERIES);
            for (LineChart.Series s : line.series()) {
                ObjectNode sj = series.addObject();
                sj.put(NAME, s.name());
                addDoubles(sj.putArray(X), s.x());
                addDoubles(sj.putArray(Y), s.y());
            }
        } else if (chart instanceof BarChart bar) {
            json.put(LOG_Y, bar.logY());
            addStrings(json.putArray(CATEGORIES), bar.categories());
            ArrayNode series = json.putArray(SERIES);
            for (BarChart.Series s : bar.series()) {
                ObjectNode sj = series.addObject();
                sj.put(NAME, s.name());
                addDoubles(sj.putArray(VALUES), s.values());
            }
        } else if (chart instanceof GridChart grid) {
            addStrings(json.putArray(COLUMNS), grid.columns());
            addStrings(json.putArray(ROWS), grid.rows());
            addStrings(json.putArray(CATEGORIES), grid.categories());
            json.set(CELLS, MAPPER.valueToTree(grid.cells()));
            json.set(TEXTS, MAPPER.valueToTree(grid.texts()));
        }
        return json;
    }

    private static void addStrings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }

    private static void addDoubles(ArrayNode array, double[] values) {
        for (double v : values) {
            array.add(v);
        }
    }

    /**
     * The mapper shared by the JSON writer and reader.
     * @return The mapper.
     */
    static ObjectMapper mapper() {
        return MAPPER;
    }
}
