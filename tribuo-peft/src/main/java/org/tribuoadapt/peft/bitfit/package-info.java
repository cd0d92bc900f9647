/**
 * BitFit (Ben Zaken et al. 2022): fine-tuning only the bias terms.
 */
package org.tribuoadapt.peft.bitfit;
