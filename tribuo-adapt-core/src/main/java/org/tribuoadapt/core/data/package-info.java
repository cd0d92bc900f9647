/**
 * Data sources which load image classification data sets, such as MNIST style IDX files, into Tribuo.
 */
package org.tribuoadapt.core.data;
