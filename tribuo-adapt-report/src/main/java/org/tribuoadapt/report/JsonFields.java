package org.tribuoadapt.report;

/**
 * Field names and constants of the {@code report.json} format, shared by the writer and the reader.
 */
final class JsonFields {

    /** The value of {@link #FORMAT}, identifying a Tribuo Adapt report. */
    static final String FORMAT_NAME = "tribuo-adapt-report";
    /** The format version written by this code; the reader accepts versions up to this one. */
    static final int FORMAT_VERSION = 1;

    // Field names, in document order; see JsonReportRenderer for the structure.
    static final String FORMAT = "format";
    static final String FORMAT_VERSION_FIELD = "formatVersion";
    static final String TITLE = "title";
    static final String CREATED = "created";
    static final String ENVIRONMENT = "environment";
    static final String SECTIONS = "sections";
    static final String TEXT = "text";
    static final String TABLES = "tables";
    static final String CAPTION = "caption";
    static final String COLUMNS = "columns";
    static final String ROWS = "rows";
    static final String CHARTS = "charts";
    static final String TYPE = "type";
    static final String X_LABEL = "xLabel";
    static final String Y_LABEL = "yLabel";
    static final String LOG_X = "logX";
    static final String LOG_Y = "logY";
    static final String CATEGORIES = "categories";
    static final String SERIES = "series";
    static final String NAME = "name";
    static final String X = "x";
    static final String Y = "y";
    static final String VALUES = "values";
    static final String CELLS = "cells";
    static final String TEXTS = "texts";
    static final String RESULTS = "results";
    static final String PROVENANCE = "provenance";
    static final String CONTENT_DIGEST = "contentDigest";

    private JsonFields() {}
}
