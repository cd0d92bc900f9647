/**
 * RandLoRA (Albert et al. 2025): full-rank updates from fixed random bases with trained diagonal scalings, in PEFT's format.
 */
package org.tribuoadapt.peft.randlora;
