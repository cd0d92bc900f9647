/**
 * Hugging Face PEFT's adapter files (adapter_config.json and adapter_model.safetensors), and applying an adapter to a base network from files.
 */
package org.tribuoadapt.peft.io;
