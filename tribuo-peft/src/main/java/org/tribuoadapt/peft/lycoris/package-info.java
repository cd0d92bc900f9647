/**
 * The machinery LoHa and LoKr share (PEFT's LyCORIS utilities): weight updates rebuilt from factors, rank and module
 * dropout, and the CP decomposition of convolution kernels.
 */
package org.tribuoadapt.peft.lycoris;
