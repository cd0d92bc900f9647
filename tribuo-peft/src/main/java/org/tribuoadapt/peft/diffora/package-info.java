/**
 * DiffoRA (Jiang et al. 2025): a differentiable choice of the modules that receive LoRA adapters, discretised to plain
 * LoRA on the most important modules.
 */
package org.tribuoadapt.peft.diffora;
