/**
 * Adapters that change a target layer's own weight and bias by an additive amount, the machinery BitFit, norm-only
 * tuning, LT-SFT and aTLAS share.
 */
package org.tribuoadapt.peft.delta;
