/**
 * The test-time adaptation evaluator: replays a shifted stream through adaptation methods and reports online
 * accuracy per domain and severity, latency against the source model and peak memory, with provenance.
 */
package org.tribuoadapt.tta.evaluation;
