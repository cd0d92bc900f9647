/**
 * The fifteen common image corruptions of Hendrycks and Dietterich (2019), with five severities each, for
 * grayscale images, implemented in Java and deterministic for a seed.
 */
package org.tribuoadapt.tta.corruption;
