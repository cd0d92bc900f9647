/**
 * The main job's adapter fine-tuning step.
 */
package org.tribuoadapt.peft.pipeline;
