/**
 * CAFA (Jung et al. 2023, "CAFA: Class-Aware Feature Alignment for Test-Time Adaptation"): test features are
 * pulled towards the source distribution of their predicted class and away from the others, in the Mahalanobis
 * metric of class-conditional Gaussians fitted on source samples, by the normalisation layers' affine parameters.
 */
package org.tribuoadapt.tta.method.cafa;
