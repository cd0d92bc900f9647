/**
 * Test-time normalisation: BN-adapt (Nado et al. 2020; Schneider et al. 2020), whose BatchNorm layers normalise with
 * the test batch's statistics, alpha-BN (Schneider et al. 2020), which mixes them with the source statistics, and
 * Core (You, Li and Zhao 2021), alpha-BN with an online class-correlation loss on the normalisation layers' affine
 * parameters.
 */
package org.tribuoadapt.tta.method.batchnorm;
