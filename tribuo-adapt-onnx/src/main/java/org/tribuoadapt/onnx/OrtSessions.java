package org.tribuoadapt.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.nn.DjlRuntime;

/**
 * Opens ONNX Runtime sessions on in-memory models, with as many intra-op threads as PyTorch uses and no spinning
 * between runs, so a frozen ONNX stage and the DJL layers above it share the machine.
 */
final class OrtSessions {

    private OrtSessions() {}

    /**
     * Opens a session.
     * @param model The ONNX model bytes.
     * @return The session; the caller closes it.
     * @throws IllegalArgumentException if ONNX Runtime cannot load the bytes as a model.
     */
    static OrtSession open(byte[] model) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(DjlRuntime.intraOpThreads());
            // idle ONNX Runtime threads would otherwise spin and take cores from PyTorch between runs
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            return env.createSession(model, options);
        } catch (OrtException e) {
            throw new IllegalArgumentException("ONNX Runtime cannot load the model (" + model.length + " bytes, SHA-256 "
                    + NetworkProvenance.sha256(model) + "): " + e.getMessage(), e);
        }
    }
}
