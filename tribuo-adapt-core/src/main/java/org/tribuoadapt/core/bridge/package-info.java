/**
 * The bridge between Tribuo and DJL: dense feature tensors in a fixed feature order, and label ids.
 */
package org.tribuoadapt.core.bridge;
