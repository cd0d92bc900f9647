package org.tribuoadapt.robust.testing;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.oracle.labs.mlrg.olcut.util.Pair;
import org.tribuo.VariableIDInfo;
import org.tribuo.VariableInfo;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LogisticRegressionTrainer;
import org.tribuo.interop.onnx.DenseTransformer;
import org.tribuo.interop.onnx.LabelTransformer;
import org.tribuo.interop.onnx.ONNXExternalModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A black-box model built without external tools: a Tribuo logistic regression trained on the faint bars, exported
 * to ONNX by Tribuo and loaded back through ONNX Runtime as an {@link ONNXExternalModel}, which only exposes
 * predicted probabilities.
 */
public final class OnnxBlackBox {

    private OnnxBlackBox() {}

    /**
     * Builds the ONNX model in a folder.
     * @param dir Where the .onnx file goes.
     * @return The external model; the caller closes it.
     * @throws IOException if the file cannot be written.
     * @throws OrtException if ONNX Runtime cannot load it.
     */
    public static ONNXExternalModel<Label> create(Path dir) throws IOException, OrtException {
        LinearSGDModel model = new LogisticRegressionTrainer().train(RobustFixtures.train());
        Path file = dir.resolve("logistic-regression.onnx");
        model.saveONNXModel("org.tribuoadapt.robust.test", 1, file);
        Map<String, Integer> features = new HashMap<>();
        for (VariableInfo f : model.getFeatureIDMap()) {
            features.put(f.getName(), ((VariableIDInfo) f).getID());
        }
        Map<Label, Integer> outputs = new HashMap<>();
        for (Pair<Integer, Label> l : model.getOutputIDInfo()) {
            outputs.put(l.getB(), l.getA());
        }
        OrtEnvironment.getEnvironment();
        return ONNXExternalModel.createOnnxModel(new LabelFactory(), features, outputs, new DenseTransformer(),
                new LabelTransformer(true), new OrtSession.SessionOptions(), file, "input");
    }
}
