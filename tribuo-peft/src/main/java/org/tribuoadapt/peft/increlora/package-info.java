/**
 * IncreLoRA (Zhang et al. 2023): SVD-like low-rank adapters whose rank grows during training, module by module, by an
 * importance score, up to a total rank budget.
 */
package org.tribuoadapt.peft.increlora;
