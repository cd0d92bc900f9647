/**
 * Weight-space tools for network models of one architecture: uniform and greedy model soups, and robust weight
 * signatures (task vectors) that are extracted, scaled, added, removed and composed.
 */
package org.tribuoadapt.robust.weightspace;
