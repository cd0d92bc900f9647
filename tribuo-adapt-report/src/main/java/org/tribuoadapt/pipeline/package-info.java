/**
 * The main job as a configurable pipeline of steps that share datasets and models and write one report.
 */
package org.tribuoadapt.pipeline;
