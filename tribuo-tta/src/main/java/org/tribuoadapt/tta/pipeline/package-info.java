/**
 * The main job's test-time adaptation step.
 */
package org.tribuoadapt.tta.pipeline;
