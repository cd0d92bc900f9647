/**
 * LAME (Boudiaf et al. 2022, "Parameter-free Online Test-time Adaptation"): Laplacian-regularised correction of a
 * model's outputs over a batch's feature affinities; the model is never changed.
 */
package org.tribuoadapt.tta.method.lame;
