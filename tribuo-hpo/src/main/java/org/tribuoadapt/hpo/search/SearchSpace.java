package org.tribuoadapt.hpo.search;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The searched properties of a study, each named {@code component.property} exactly as the command line's
 * {@code --@component.property value} override, in a fixed order (the order samplers draw them in).
 * <p>
 * The text form, one entry per property, is {@code name=kind:arguments} with the kinds
 * <ul>
 *     <li>{@code float:low:high}, {@code float:low:high:log}, {@code float:low:high:step=s};</li>
 *     <li>{@code int:low:high}, {@code int:low:high:log}, {@code int:low:high:step=s};</li>
 *     <li>{@code categorical:a,b,c}.</li>
 * </ul>
 */
public final class SearchSpace {

    private final Map<String, Distribution> distributions;

    /**
     * Creates a space.
     * @param distributions The distributions by property name; iteration order is kept.
     */
    public SearchSpace(Map<String, Distribution> distributions) {
        if (distributions.isEmpty()) {
            throw new IllegalArgumentException("the search space is empty; give at least one component.property to search");
        }
        for (String name : distributions.keySet()) {
            int dot = name.indexOf('.');
            if (dot <= 0 || dot == name.length() - 1) {
                throw new IllegalArgumentException("searched property '" + name + "' must be named component.property");
            }
        }
        this.distributions = Collections.unmodifiableMap(new LinkedHashMap<>(distributions));
    }

    /**
     * Parses the text form (see the class documentation).
     * @param entries One {@code name=kind:arguments} per property.
     * @return The space.
     */
    public static SearchSpace parse(List<String> entries) {
        Map<String, Distribution> out = new LinkedHashMap<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("search space entry '" + entry + "' must read component.property=kind:arguments");
            }
            String name = entry.substring(0, eq).trim();
            if (out.put(name, parseDistribution(name, entry.substring(eq + 1).trim())) != null) {
                throw new IllegalArgumentException("search space names '" + name + "' twice");
            }
        }
        return new SearchSpace(out);
    }

    private static Distribution parseDistribution(String name, String text) {
        String[] parts = text.split(":");
        String kind = parts[0];
        try {
            switch (kind) {
                case "categorical":
                    if (parts.length != 2) {
                        throw new IllegalArgumentException("expected categorical:a,b,c");
                    }
                    return new CategoricalDistribution(Arrays.stream(parts[1].split(",")).map(String::trim).toList());
                case "float":
                case "int":
                    if (parts.length < 3 || parts.length > 4) {
                        throw new IllegalArgumentException("expected " + kind + ":low:high[:log|:step=s]");
                    }
                    String option = parts.length == 4 ? parts[3] : "";
                    boolean log = option.equals("log");
                    String step = option.startsWith("step=") ? option.substring(5) : null;
                    if (!option.isEmpty() && !log && step == null) {
                        throw new IllegalArgumentException("unknown option '" + option + "'; expected log or step=s");
                    }
                    if (kind.equals("float")) {
                        return new FloatDistribution(Double.parseDouble(parts[1]), Double.parseDouble(parts[2]), log,
                                step == null ? null : Double.valueOf(step));
                    }
                    return new IntDistribution(Long.parseLong(parts[1]), Long.parseLong(parts[2]), log,
                            step == null ? 1 : Long.parseLong(step));
                default:
                    throw new IllegalArgumentException("unknown kind '" + kind + "'; expected float, int or categorical");
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("search space entry for '" + name + "' (" + text + "): " + e.getMessage(), e);
        }
    }

    /**
     * The distributions, in search order.
     * @return The property names and their distributions.
     */
    public Map<String, Distribution> distributions() {
        return distributions;
    }

    @Override
    public String toString() {
        return "SearchSpace" + distributions;
    }
}
