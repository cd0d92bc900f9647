/**
 * ALLoRA (Huang and Balestriero 2024, "ALLoRA: Adaptive Learning Rate Mitigates LoRA Fatal Flaws"): LoRA without
 * dropout and without the scaling factor, trained with a per-row learning rate that falls with the row's norm.
 */
package org.tribuoadapt.peft.allora;
