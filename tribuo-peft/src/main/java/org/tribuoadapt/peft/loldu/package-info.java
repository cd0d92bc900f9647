/**
 * LoLDU (Shi et al. 2024): low-rank adaptation through the pivoted LDU decomposition of the frozen weights.
 */
package org.tribuoadapt.peft.loldu;
