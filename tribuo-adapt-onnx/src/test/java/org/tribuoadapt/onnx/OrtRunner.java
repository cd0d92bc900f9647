package org.tribuoadapt.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.util.Map;

/**
 * Runs an ONNX model directly with ONNX Runtime, as the reference the tests compare with.
 */
final class OrtRunner {

    private OrtRunner() {}

    /**
     * Runs a single-input model and returns its first output.
     * @param model The model bytes.
     * @param input The input values, row-major.
     * @param shape The input shape, batch first.
     * @return The first output's values, row-major.
     */
    static float[] run(byte[] model, float[] input, long... shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions());
             OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
             OrtSession.Result result = session.run(Map.of(session.getInputNames().iterator().next(), tensor))) {
            FloatBuffer buffer = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] out = new float[buffer.remaining()];
            buffer.get(out);
            return out;
        }
    }
}
