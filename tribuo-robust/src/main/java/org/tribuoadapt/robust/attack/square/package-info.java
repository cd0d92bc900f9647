/**
 * The Square attack (Andriushchenko et al. 2020): a score-based black-box attack by random square-shaped updates.
 */
package org.tribuoadapt.robust.attack.square;
