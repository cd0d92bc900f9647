package org.tribuoadapt.core.safetensors;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The contents of a safetensors file: an immutable, insertion-ordered map from tensor names to
 * tensors, plus the optional string-to-string {@code __metadata__}.
 */
public final class SafetensorsFile {
    /** The header key reserved for metadata, which therefore cannot name a tensor. */
    public static final String METADATA_KEY = "__metadata__";

    /** How many names an error message for a missing tensor lists before abbreviating. */
    private static final int MAX_NAMES_IN_MESSAGE = 20;

    private final Map<String, TensorData> tensors;
    private final Map<String, String> metadata;

    /**
     * Creates the contents of a file, copying both maps.
     *
     * @param tensors  the tensors, in the order they should be listed; no null names or tensors,
     *                 and no tensor named {@value #METADATA_KEY}.
     * @param metadata the metadata; null means none. No null keys or values.
     * @throws IllegalArgumentException if a name is reserved.
     * @throws NullPointerException     if a name, tensor, key or value is null.
     */
    public SafetensorsFile(Map<String, TensorData> tensors, Map<String, String> metadata) {
        Map<String, TensorData> tensorCopy = new LinkedHashMap<>();
        Objects.requireNonNull(tensors, "tensors must not be null").forEach((name, tensor) -> {
            Objects.requireNonNull(name, "tensor names must not be null");
            Objects.requireNonNull(tensor, () -> "tensor '" + name + "' is null");
            if (METADATA_KEY.equals(name)) {
                throw new IllegalArgumentException("'" + METADATA_KEY + "' is reserved for metadata and cannot name a tensor");
            }
            tensorCopy.put(name, tensor);
        });
        Map<String, String> metadataCopy = new LinkedHashMap<>();
        if (metadata != null) {
            metadata.forEach((key, value) -> {
                Objects.requireNonNull(key, "metadata keys must not be null");
                metadataCopy.put(key, Objects.requireNonNull(value, () -> "metadata value for key '" + key + "' is null"));
            });
        }
        this.tensors = Collections.unmodifiableMap(tensorCopy);
        this.metadata = Collections.unmodifiableMap(metadataCopy);
    }

    /**
     * The tensors.
     *
     * @return an unmodifiable, insertion-ordered map from name to tensor.
     */
    public Map<String, TensorData> tensors() {
        return tensors;
    }

    /**
     * Refuses NaN and infinite values: a network fed one computes NaN everywhere without an error.
     *
     * @param source what the tensors are (a file name), for the message.
     * @throws IllegalArgumentException naming the source, the tensor, the value and its position at the first
     * non-finite element.
     */
    public void requireFinite(String source) {
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            TensorData tensor = e.getValue();
            long index = tensor.indexOfNonFinite();
            if (index >= 0) {
                throw new IllegalArgumentException(source + ": tensor '" + e.getKey() + "' (shape "
                        + Arrays.toString(tensor.shape()) + ") holds the non-finite value "
                        + tensor.toDoubleArray()[(int) index] + " at element " + index);
            }
        }
    }

    /**
     * The {@code __metadata__} entries.
     *
     * @return an unmodifiable map, empty when the file has none.
     */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * The tensor names.
     *
     * @return an unmodifiable, insertion-ordered set of names.
     */
    public Set<String> names() {
        return tensors.keySet();
    }

    /**
     * The number of tensors.
     *
     * @return the tensor count.
     */
    public int size() {
        return tensors.size();
    }

    /**
     * Whether there is a tensor with the given name.
     *
     * @param name the tensor name.
     * @return true if present.
     */
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /**
     * The tensor with the given name.
     *
     * @param name the tensor name.
     * @return the tensor.
     * @throws NoSuchElementException if there is none; the message names the missing tensor and
     *                                lists the available names.
     */
    public TensorData get(String name) {
        TensorData tensor = tensors.get(name);
        if (tensor == null) {
            throw new NoSuchElementException("no tensor named '" + name + "'; available (" + tensors.size() + "): "
                    + describeNames());
        }
        return tensor;
    }

    private String describeNames() {
        String listed = tensors.keySet().stream().limit(MAX_NAMES_IN_MESSAGE)
                .map(n -> "'" + n + "'").collect(Collectors.joining(", ", "[", ""));
        int rest = tensors.size() - MAX_NAMES_IN_MESSAGE;
        return rest > 0 ? listed + ", ... and " + rest + " more]" : listed + "]";
    }

    /**
     * Two files are equal when they hold equal tensors under the same names and the same
     * metadata; order does not matter.
     *
     * @param o the other object.
     * @return true if equal.
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SafetensorsFile)) {
            return false;
        }
        SafetensorsFile other = (SafetensorsFile) o;
        return tensors.equals(other.tensors) && metadata.equals(other.metadata);
    }

    /**
     * A hash of the tensors and metadata.
     *
     * @return the hash code.
     */
    @Override
    public int hashCode() {
        return 31 * tensors.hashCode() + metadata.hashCode();
    }

    /**
     * A summary with the tensor names, dtypes and shapes and the metadata keys; never the data.
     *
     * @return the summary.
     */
    @Override
    public String toString() {
        return "SafetensorsFile[tensors=" + tensors + ", metadataKeys=" + metadata.keySet() + "]";
    }
}
