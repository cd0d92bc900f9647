/**
 * Reproduction of recorded robustness evaluations (clean and attacked accuracy) from their provenance.
 */
package org.tribuoadapt.robust.reproduce;
