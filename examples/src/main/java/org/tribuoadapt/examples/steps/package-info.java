/**
 * The main job's pipeline steps, which join the libraries: training the source networks, PEFT adaptation,
 * robustness (adversarial training, adaptive smoothing, attacks) and test-time adaptation. Each step records the
 * provenance of what it trained or measured and lays its results out as a report section; the libraries' evaluations
 * only expose data.
 */
package org.tribuoadapt.examples.steps;
