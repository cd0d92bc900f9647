/**
 * Data sources which load image classification data sets, such as MNIST style IDX files, into Tribuo, and a
 * spuriously correlated variant of such images for out-of-distribution experiments.
 */
package org.tribuoadapt.core.data;
