/**
 * APGD-CE, auto-PGD on the cross-entropy (Croce and Hein 2020): PGD with momentum and a step size that halves at
 * checkpoints where progress stalls.
 */
package org.tribuoadapt.robust.attack.apgd;
