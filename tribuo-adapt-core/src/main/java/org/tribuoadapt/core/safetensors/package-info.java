/**
 * A validated reader and an atomic, deterministic writer of the Hugging Face safetensors tensor file format.
 */
package org.tribuoadapt.core.safetensors;
