/**
 * Reproduction of recorded results: provenance to configuration, retraining, and comparison of weights, metrics and
 * provenance.
 */
package org.tribuoadapt.reproduce;
