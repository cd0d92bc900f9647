package org.tribuoadapt.peft;

import org.tribuoadapt.core.safetensors.TensorData;

import java.util.Map;

/**
 * An adapter in the form it is saved and kept in models ({@link AdapterSpec#export}): its configuration and its
 * tensors under PEFT's names.
 *
 * @param spec The configuration to save.
 * @param tensors The tensors to save.
 */
public record ExportedAdapter(AdapterSpec spec, Map<String, TensorData> tensors) {}
