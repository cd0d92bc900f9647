/**
 * Tent (Wang et al. 2021, "Tent: Fully Test-Time Adaptation by Entropy Minimization"): entropy minimisation of the
 * normalisation layers' affine parameters on every test batch.
 */
package org.tribuoadapt.tta.method.tent;
