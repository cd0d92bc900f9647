/**
 * Robust inference under small image translations by crop selection (Shifman and Weiss, "Lost in Translation: Modern
 * Neural Networks Still Struggle With Small Realistic Image Transformations", ECCV 2024): a wrapper model that shows
 * its base classifier one selected crop of each image.
 */
package org.tribuoadapt.robust.translation;
