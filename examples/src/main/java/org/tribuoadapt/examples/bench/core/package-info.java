/**
 * The benchmark command interface every module's benchmark implements.
 */
package org.tribuoadapt.examples.bench.core;
