/**
 * Norm-only tuning: fine-tuning only the scale and shift of normalisation layers.
 */
package org.tribuoadapt.peft.normtuning;
