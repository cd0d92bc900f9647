/**
 * The benchmark command interface every benchmark implements, their option parser and embedded-sample loader, and
 * the training-speed benchmark of core networks.
 */
package org.tribuoadapt.examples.bench.core;
