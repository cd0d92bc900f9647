/**
 * EATA (Niu et al. 2022, "Efficient Test-Time Model Adaptation without Forgetting"): Tent restricted to reliable,
 * non-redundant samples, with a Fisher regulariser against forgetting.
 */
package org.tribuoadapt.tta.method.eata;
