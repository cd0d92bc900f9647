/**
 * ONNX export of networks through per-layer exporters that other modules can extend.
 */
package org.tribuoadapt.core.onnx;
