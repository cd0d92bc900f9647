/**
 * Test-time normalisation: BN-adapt (Nado et al. 2020; Schneider et al. 2020), whose BatchNorm layers normalise with
 * the test batch's statistics, and alpha-BN (Schneider et al. 2020), which mixes them with the source statistics.
 */
package org.tribuoadapt.tta.method.batchnorm;
