package org.tribuoadapt.robust.testing;

import org.tribuoadapt.core.testing.TestSeeds;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.oracle.labs.mlrg.olcut.util.Pair;
import org.tribuo.Trainer;
import org.tribuo.VariableIDInfo;
import org.tribuo.VariableInfo;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.interop.onnx.DenseTransformer;
import org.tribuo.interop.onnx.LabelTransformer;
import org.tribuo.interop.onnx.ONNXExternalModel;
import org.tribuo.math.optimisers.AdaGrad;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A black-box model built without external tools: a Tribuo logistic regression trained on
 * {@link RobustFixtures#train()}, exported to ONNX by Tribuo and loaded back through ONNX Runtime as an
 * {@link ONNXExternalModel}, which only exposes predicted probabilities. It trains for 20 epochs (Tribuo's default
 * logistic regression stops at 5) so that it learns the stripes, and not only the bar, of every class.
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
        LinearSGDModel model = new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(1.0, 0.1), 20,
                TestSeeds.of(Trainer.DEFAULT_SEED)).train(RobustFixtures.train());
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
