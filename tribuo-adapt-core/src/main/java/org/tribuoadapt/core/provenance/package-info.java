/**
 * Provenance helpers: rebuilding configurable objects from their provenance and carrying provenance in protobufs.
 */
package org.tribuoadapt.core.provenance;
