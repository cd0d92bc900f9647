/**
 * Label shift: correction by EM re-estimation of the class priors (Saerens, Latinne and Decaestecker 2002), and the
 * Label Shift Adapter (Park et al. 2023), which modulates the classifier from an online estimate of the target label
 * distribution on top of a covariate-shift method such as Tent or EATA.
 */
package org.tribuoadapt.tta.method.labelshift;
