/**
 * SAR (Niu et al. 2023, "Towards Stable Test-Time Adaptation in Dynamic Wild World"): sharpness-aware, reliable
 * entropy minimisation with model recovery.
 */
package org.tribuoadapt.tta.method.sar;
