/**
 * The command-line interface and the end-to-end pipeline that uses every Tribuo Adapt module.
 */
package org.tribuoadapt.examples;
