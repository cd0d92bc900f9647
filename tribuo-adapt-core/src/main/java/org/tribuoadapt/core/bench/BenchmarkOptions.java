package org.tribuoadapt.core.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --name value} options of a benchmark command, with typed lookups, defaults and a check that every
 * given option was understood.
 */
public final class BenchmarkOptions {

    private final Map<String, String> values;
    private final Set<String> used = new HashSet<>();

    private BenchmarkOptions(Map<String, String> values) {
        this.values = values;
    }

    /**
     * Parses {@code --name value} pairs.
     * @param args The arguments.
     * @return The options.
     * @throws IllegalArgumentException on a stray argument or a missing value.
     */
    public static BenchmarkOptions parse(List<String> args) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || i + 1 >= args.size()) {
                throw new IllegalArgumentException("expected --name value pairs, found '" + arg + "'");
            }
            values.put(arg.substring(2), args.get(++i));
        }
        return new BenchmarkOptions(values);
    }

    /**
     * A string option.
     * @param name The name without dashes.
     * @param defaultValue The default.
     * @return The value.
     */
    public String string(String name, String defaultValue) {
        used.add(name);
        return values.getOrDefault(name, defaultValue);
    }

    /**
     * An integer option.
     * @param name The name without dashes.
     * @param defaultValue The default.
     * @return The value.
     */
    public int integer(String name, int defaultValue) {
        String v = string(name, Integer.toString(defaultValue));
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, found '" + v + "'");
        }
    }

    /**
     * A floating-point option.
     * @param name The name without dashes.
     * @param defaultValue The default.
     * @return The value.
     */
    public double real(String name, double defaultValue) {
        String v = string(name, Double.toString(defaultValue));
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, found '" + v + "'");
        }
    }

    /**
     * Fails if an option was given that no lookup asked for.
     * @throws IllegalArgumentException naming the unknown options.
     */
    public void checkAllUsed() {
        List<String> unknown = new ArrayList<>(values.keySet());
        unknown.removeAll(used);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown options " + unknown + "; known: " + used);
        }
    }

    /**
     * The median of some measurements (the mean of the middle two for an even count).
     * @param values The measurements.
     * @return The median.
     */
    public static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
