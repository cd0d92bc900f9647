/**
 * Reproduction of recorded test-time adaptation evaluations from their provenance.
 */
package org.tribuoadapt.tta.reproduce;
