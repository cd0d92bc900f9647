package org.tribuoadapt.peft;

import org.tribuoadapt.core.safetensors.TensorData;

import java.util.Map;

/**
 * An adapter read from a PEFT directory.
 *
 * @param spec The configuration from {@code adapter_config.json}.
 * @param tensors The tensors from {@code adapter_model.safetensors}, under PEFT's names.
 * @param configSha256 The SHA-256 of {@code adapter_config.json}.
 * @param weightsSha256 The SHA-256 of {@code adapter_model.safetensors}.
 */
public record LoadedAdapter(AdapterSpec spec, Map<String, TensorData> tensors, String configSha256, String weightsSha256) {

    /**
     * A description of the files, for provenance.
     * @return The two hashes.
     */
    public String describe() {
        return "adapter_config.json sha256 " + configSha256 + ", adapter_model.safetensors sha256 " + weightsSha256;
    }
}
