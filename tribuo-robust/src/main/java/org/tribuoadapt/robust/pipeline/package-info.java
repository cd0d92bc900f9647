/**
 * The main job's robustness step: adversarial training, adaptive smoothing and their evaluation under attack.
 */
package org.tribuoadapt.robust.pipeline;
