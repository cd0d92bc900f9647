package org.tribuoadapt.report;

import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;

import java.time.OffsetDateTime;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable run report: a title, a creation time, environment facts, ordered {@link ReportSection}s and
 * named provenance entries.
 * <p>
 * Environment facts are free-form strings supplied by the caller (e.g. {@code "java.version"}). Provenance
 * entries are OLCUT {@link ObjectProvenance}s, such as a model's or an evaluation's provenance, stored under a
 * name such as {@code "source-model"}; they are written in OLCUT's marshalled JSON form so that
 * {@link ReportReader} can rebuild them exactly. Section titles, environment keys and provenance names are each
 * unique within a report. Write a report with {@link ReportWriter#write(Report, java.nio.file.Path)}.
 */
public final class Report {

    private final String title;
    private final OffsetDateTime created;
    private final Map<String, String> environment;
    private final List<ReportSection> sections;
    private final Map<String, ObjectProvenance> provenance;

    private Report(Builder builder) {
        this.title = builder.title;
        this.created = builder.created == null ? OffsetDateTime.now() : builder.created;
        this.environment = Collections.unmodifiableMap(new LinkedHashMap<>(builder.environment));
        this.sections = List.copyOf(builder.sections.values());
        this.provenance = Collections.unmodifiableMap(new LinkedHashMap<>(builder.provenance));
    }

    /**
     * Starts building a report.
     * @param title The report title.
     * @return A builder.
     */
    public static Builder builder(String title) {
        return new Builder(title);
    }

    /**
     * The report title.
     * @return The title.
     */
    public String title() {
        return title;
    }

    /**
     * When the report was created.
     * @return The creation time.
     */
    public OffsetDateTime created() {
        return created;
    }

    /**
     * The environment facts in insertion order.
     * @return An unmodifiable map of facts.
     */
    public Map<String, String> environment() {
        return environment;
    }

    /**
     * The sections in order.
     * @return An unmodifiable list of sections.
     */
    public List<ReportSection> sections() {
        return sections;
    }

    /**
     * The named provenance entries in insertion order.
     * @return An unmodifiable map from entry name to provenance.
     */
    public Map<String, ObjectProvenance> provenance() {
        return provenance;
    }

    /**
     * Builds a {@link Report}.
     */
    public static final class Builder {
        private final String title;
        private OffsetDateTime created;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private final Map<String, ReportSection> sections = new LinkedHashMap<>();
        private final Map<String, ObjectProvenance> provenance = new LinkedHashMap<>();

        private Builder(String title) {
            this.title = Objects.requireNonNull(title, "report title");
        }

        /**
         * Sets the creation time; if never called, {@link #build()} uses the current time.
         * @param created The creation time.
         * @return This builder.
         */
        public Builder created(OffsetDateTime created) {
            this.created = Objects.requireNonNull(created, "created");
            return this;
        }

        /**
         * Adds an environment fact, e.g. {@code ("java.version", "17.0.15")}.
         * @param key The fact's name.
         * @param value The fact.
         * @return This builder.
         * @throws IllegalArgumentException If the key was already added.
         */
        public Builder addEnvironment(String key, String value) {
            return putNew(environment, "environment fact", key, value);
        }

        /**
         * Adds several environment facts in the map's iteration order.
         * @param facts The facts.
         * @return This builder.
         * @throws IllegalArgumentException If a key was already added.
         */
        public Builder addEnvironment(Map<String, String> facts) {
            facts.forEach(this::addEnvironment);
            return this;
        }

        /**
         * Appends a section.
         * @param section The section.
         * @return This builder.
         * @throws IllegalArgumentException If a section with the same title was already added.
         */
        public Builder addSection(ReportSection section) {
            Objects.requireNonNull(section, "section");
            return putNew(sections, "section", section.title(), section);
        }

        /**
         * Adds a named provenance entry, e.g. {@code ("source-model", model.getProvenance())}.
         * @param name The entry name.
         * @param objectProvenance The provenance.
         * @return This builder.
         * @throws IllegalArgumentException If an entry with the same name was already added.
         */
        public Builder addProvenance(String name, ObjectProvenance objectProvenance) {
            return putNew(provenance, "provenance entry", name, objectProvenance);
        }

        private <T> Builder putNew(Map<String, T> map, String kind, String name, T value) {
            Objects.requireNonNull(name, kind + " name");
            Objects.requireNonNull(value, kind + " '" + name + "'");
            if (map.putIfAbsent(name, value) != null) {
                throw new IllegalArgumentException("Report '" + title + "' already has a " + kind + " named '"
                        + name + "'");
            }
            return this;
        }

        /**
         * Builds the report.
         * @return The report.
         */
        public Report build() {
            return new Report(this);
        }
    }
}
