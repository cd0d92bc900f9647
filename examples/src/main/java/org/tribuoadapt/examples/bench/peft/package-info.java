/**
 * The peft benchmark (bench peft): LoRA training and inference speed, merged-inference speed, peak memory and quality.
 */
package org.tribuoadapt.examples.bench.peft;
