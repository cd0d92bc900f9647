/**
 * ONNX both ways: exporting networks as ONNX models through per-layer exporters that modules can extend, and running a
 * frozen ONNX model with ONNX Runtime as the first stage of a trainable network.
 */
package org.tribuoadapt.onnx;
