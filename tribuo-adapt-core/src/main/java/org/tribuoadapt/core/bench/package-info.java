/**
 * The benchmark command interface every module's benchmark implements.
 */
package org.tribuoadapt.core.bench;
