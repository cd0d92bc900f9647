/**
 * Robust classification: adaptive smoothing, attacks, adversarial training and weight-space tools.
 */
package org.tribuoadapt.robust;
