package org.tribuoadapt.peft;

import org.tribuoadapt.core.safetensors.SafetensorsFormatException;
import org.tribuoadapt.core.safetensors.SafetensorsReader;
import org.tribuoadapt.core.safetensors.SafetensorsWriter;
import org.tribuoadapt.core.safetensors.TensorData;

import java.io.Serializable;
import java.util.Map;

/**
 * One named adapter as a {@link PeftModel} keeps it: its configuration, its tensors (under PEFT's names, as
 * safetensors bytes) and how it came to be. Immutable.
 */
public final class StoredAdapter implements Serializable {
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

    /**
     * Creates the record.
     * @param name The adapter's name.
     * @param spec Its configuration.
     * @param tensors Its tensors under PEFT's names.
     * @param origin How it came to be, for provenance.
     */
    public StoredAdapter(String name, AdapterSpec spec, Map<String, TensorData> tensors, String origin) {
        this(name, spec, SafetensorsWriter.toBytes(tensors, Map.of("format", "pt")), origin);
    }

    /** @return The adapter's name. */
    public String name() {
        return name;
    }

    /** @return The adapter's configuration. */
    public AdapterSpec spec() {
        return spec;
    }

    byte[] tensorBytes() {
        return tensors.clone();
    }

    /** @return How the adapter came to be. */
    public String origin() {
        return origin;
    }

    /** @return The adapter's tensors under PEFT's names. */
    public Map<String, TensorData> tensors() {
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
