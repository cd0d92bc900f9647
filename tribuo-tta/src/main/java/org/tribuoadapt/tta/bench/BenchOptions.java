package org.tribuoadapt.tta.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --name value} options of a benchmark command, with defaults, type checks and an error that lists
 * the known options for an unknown one.
 */
final class BenchOptions {

    private final Map<String, String> values = new LinkedHashMap<>();

    /**
     * Parses options against their defaults.
     * @param args The arguments after the command name.
     * @param defaults Every known option and its default value.
     * @throws IllegalArgumentException for an unknown option or one without a value.
     */
    BenchOptions(List<String> args, Map<String, String> defaults) {
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

    String string(String key) {
        return values.get(key);
    }

    int integer(String key) {
        try {
            return Integer.parseInt(values.get(key).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " needs an integer, found '" + values.get(key) + "'");
        }
    }

    long longValue(String key) {
        try {
            return Long.parseLong(values.get(key).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " needs an integer, found '" + values.get(key) + "'");
        }
    }

    double real(String key) {
        try {
            return Double.parseDouble(values.get(key).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " needs a number, found '" + values.get(key) + "'");
        }
    }

    List<String> list(String key) {
        List<String> out = new ArrayList<>();
        for (String part : values.get(key).split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return out;
    }

    List<Integer> integers(String key) {
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

    @Override
    public String toString() {
        return values.toString();
    }
}
