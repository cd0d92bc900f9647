package org.tribuoadapt.examples.bench.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --name value} options of a benchmark command, with defaults, type checks and an error that lists
 * the known options for an unknown one. Every module's benchmark parses its options with it.
 */
public final class BenchmarkOptions {

    private final Map<String, String> values = new LinkedHashMap<>();

    /**
     * Parses options against their defaults.
     * @param args The arguments after the command name.
     * @param defaults Every known option and its default value.
     * @throws IllegalArgumentException for an unknown option or one without a value.
     */
    public BenchmarkOptions(List<String> args, Map<String, String> defaults) {
        values.putAll(defaults);
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String key = arg.startsWith("--") ? arg.substring(2) : null;
            if (key == null || !defaults.containsKey(key)) {
                throw new IllegalArgumentException("unknown option '" + arg + "'; options are --"
                        + String.join(", --", defaults.keySet()));
            }
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException("option " + arg + " needs a value");
            }
            values.put(key, args.get(++i));
        }
    }

    /**
     * The value of an option.
     * @param key The option name without dashes.
     * @return The value.
     */
    public String string(String key) {
        return values.get(key);
    }

    /**
     * An integer option.
     * @param key The option name without dashes.
     * @return The value.
     */
    public int integer(String key) {
        try {
            return Integer.parseInt(values.get(key).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " needs an integer, found '" + values.get(key) + "'");
        }
    }

    /**
     * A long integer option.
     * @param key The option name without dashes.
     * @return The value.
     */
    public long longValue(String key) {
        try {
            return Long.parseLong(values.get(key).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " needs an integer, found '" + values.get(key) + "'");
        }
    }

    /**
     * A floating-point option.
     * @param key The option name without dashes.
     * @return The value.
     */
    public double real(String key) {
        try {
            return Double.parseDouble(values.get(key).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " needs a number, found '" + values.get(key) + "'");
        }
    }

    /**
     * A comma-separated list option.
     * @param key The option name without dashes.
     * @return The non-blank items, trimmed.
     */
    public List<String> list(String key) {
        List<String> out = new ArrayList<>();
        for (String part : values.get(key).split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return out;
    }

    /**
     * A comma-separated list of integers.
     * @param key The option name without dashes.
     * @return The integers.
     */
    public List<Integer> integers(String key) {
        List<Integer> out = new ArrayList<>();
        for (String part : list(key)) {
            try {
                out.add(Integer.parseInt(part));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + key + " needs comma-separated integers, found '"
                        + values.get(key) + "'");
            }
        }
        return out;
    }

    /**
     * The median of some measurements (the mean of the middle two for an even count).
     * @param measurements The measurements.
     * @return The median.
     */
    public static double median(List<Double> measurements) {
        List<Double> sorted = new ArrayList<>(measurements);
        java.util.Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
