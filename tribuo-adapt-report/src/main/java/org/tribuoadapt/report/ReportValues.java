package org.tribuoadapt.report;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validation and defensive copying of the values a report may hold: table cells and section results.
 * <p>
 * Supported numbers are the boxed primitive number types, {@link BigInteger} and {@link BigDecimal}; Jackson
 * writes all of them without loss of precision.
 */
final class ReportValues {

    private ReportValues() {}

    /**
     * Is {@code value} a number type the JSON report can write without loss?
     * @param value The value.
     * @return True for the supported number types.
     */
    static boolean isSupportedNumber(Object value) {
        return value instanceof Double || value instanceof Float || value instanceof Integer
                || value instanceof Long || value instanceof Short || value instanceof Byte
                || value instanceof BigInteger || value instanceof BigDecimal;
    }

    /**
     * Validates and copies a results map into an unmodifiable, insertion-ordered tree.
     * <p>
     * Values may be {@code null}, strings, booleans, supported numbers, maps with string keys, collections, or
     * primitive {@code double/float/int/long} arrays (copied into lists).
     * @param results The results.
     * @param owner A description of the owner used in error messages, e.g. {@code section 'Training'}.
     * @return An unmodifiable deep copy.
     * @throws IllegalArgumentException If a key is not a string or a value has an unsupported type; the message
     *     names the owner and the path of the offending entry.
     */
    static Map<String, Object> copyResults(Map<?, ?> results, String owner) {
        return copyMap(results, owner, "");
    }

    private static Map<String, Object> copyMap(Map<?, ?> map, String owner, String path) {
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new IllegalArgumentException("Results of " + owner + " have a non-string key '" + e.getKey()
                        + "' at '" + (path.isEmpty() ? "<root>" : path) + "'; JSON object keys must be strings");
            }
            copy.put(key, copyValue(e.getValue(), owner, path.isEmpty() ? key : path + "." + key));
        }
        return Collections.unmodifiableMap(copy);
    }

    private static Object copyValue(Object value, String owner, String path) {
        if (value == null || value instanceof String || value instanceof Boolean || isSupportedNumber(value)) {
            return value;
        } else if (value instanceof Map<?, ?> map) {
            return copyMap(map, owner, path);
        } else if (value instanceof Collection<?> collection) {
            List<Object> copy = new ArrayList<>(collection.size());
            int i = 0;
            for (Object element : collection) {
                copy.add(copyValue(element, owner, path + "[" + i + "]"));
                i++;
            }
            return Collections.unmodifiableList(copy);
        } else if (value instanceof double[] array) {
            return List.of(Arrays.stream(array).boxed().toArray());
        } else if (value instanceof float[] array) {
            List<Object> copy = new ArrayList<>(array.length);
            for (float f : array) {
                copy.add(f);
            }
            return Collections.unmodifiableList(copy);
        } else if (value instanceof int[] array) {
            return List.of(Arrays.stream(array).boxed().toArray());
        } else if (value instanceof long[] array) {
            return List.of(Arrays.stream(array).boxed().toArray());
        } else {
            throw new IllegalArgumentException("Results of " + owner + " have a value of unsupported type "
                    + value.getClass().getName() + " at '" + path
                    + "'; use numbers, strings, booleans, maps with string keys, lists or primitive arrays");
        }
    }
}
