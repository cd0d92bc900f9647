package org.tribuoadapt.peft;

import org.tribuoadapt.core.safetensors.SafetensorsFormatException;
import org.tribuoadapt.core.safetensors.SafetensorsReader;
import org.tribuoadapt.core.safetensors.SafetensorsWriter;
import org.tribuoadapt.core.safetensors.TensorData;

import java.io.Serializable;
import java.util.Map;

/**
 * One named adapter as a {@link PeftModel} keeps it: its configuration, its tensors (under PEFT's names, as
 * safetensors bytes) and how it came to be.
 */
final class StoredAdapter implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final AdapterSpec spec;
    private final byte[] tensors;
    private final String origin;

    StoredAdapter(String name, AdapterSpec spec, byte[] tensors, String origin) {
        this.name = name;
        this.spec = spec;
        this.tensors = tensors.clone();
        this.origin = origin;
    }

    StoredAdapter(String name, AdapterSpec spec, Map<String, TensorData> tensors, String origin) {
        this(name, spec, SafetensorsWriter.toBytes(tensors, Map.of("format", "pt")), origin);
    }

    String name() {
        return name;
    }

    AdapterSpec spec() {
        return spec;
    }

    byte[] tensorBytes() {
        return tensors.clone();
    }

    String origin() {
        return origin;
    }

    Map<String, TensorData> tensors() {
        try {
            return SafetensorsReader.read(tensors).tensors();
        } catch (SafetensorsFormatException e) {
            throw new IllegalStateException("the stored tensors of adapter '" + name + "' are unreadable", e);
        }
    }

    StoredAdapter renamed(String newName) {
        return new StoredAdapter(newName, spec, tensors, origin);
    }
}
