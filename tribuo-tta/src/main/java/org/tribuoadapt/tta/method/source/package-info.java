/**
 * Source: the unadapted model, the baseline of every test-time adaptation benchmark and the reference for latency
 * ratios.
 */
package org.tribuoadapt.tta.method.source;
