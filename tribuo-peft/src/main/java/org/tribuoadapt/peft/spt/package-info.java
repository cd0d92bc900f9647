/**
 * SPT (He et al. 2023, "Sensitivity-Aware Visual Parameter-Efficient Fine-Tuning"): a one-shot first-order sensitivity
 * of every weight decides where a trainable-parameter budget goes, as unstructured masked updates or, on weight
 * matrices with many sensitive weights, as LoRA modules.
 */
package org.tribuoadapt.peft.spt;
