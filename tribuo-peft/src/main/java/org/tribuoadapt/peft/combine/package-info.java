/**
 * Combining adapters into a new one (PEFT's add_weighted_adapter): linear, cat, svd, TIES and DARE.
 */
package org.tribuoadapt.peft.combine;
