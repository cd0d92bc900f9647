/**
 * Weight-space tools for network models of one architecture: uniform and greedy model soups, task vectors (plain
 * weight differences that are extracted, scaled, added, removed and composed), and robust weight signatures (weight
 * differences with the clean model's direction projected out, restricted to the shallow layers) that patch a clean
 * model with one or several kinds of robustness.
 */
package org.tribuoadapt.robust.weightspace;
