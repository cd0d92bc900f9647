/**
 * The benchmark command interface every benchmark implements, and the training-speed benchmark of core networks.
 */
package org.tribuoadapt.examples.bench.core;
