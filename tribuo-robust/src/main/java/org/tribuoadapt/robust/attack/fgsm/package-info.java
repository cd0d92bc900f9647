/**
 * FGSM, the fast gradient sign method (Goodfellow, Shlens and Szegedy 2015): one signed-gradient step.
 */
package org.tribuoadapt.robust.attack.fgsm;
