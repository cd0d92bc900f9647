/**
 * Label-shift correction by EM re-estimation of the class priors (Saerens, Latinne and Decaestecker 2002).
 */
package org.tribuoadapt.tta.method.labelshift;
