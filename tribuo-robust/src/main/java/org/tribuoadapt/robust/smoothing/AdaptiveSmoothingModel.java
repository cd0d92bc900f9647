package org.tribuoadapt.robust.smoothing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import org.tribuo.Example;
import org.tribuo.Excuse;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.impl.ModelDataCarrier;
import org.tribuo.protos.core.ModelProto;
import org.tribuo.provenance.ModelProvenance;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.model.AbstractNetworkModel;
import org.tribuoadapt.core.model.LabelPredictions;
import org.tribuoadapt.core.model.LogitNetwork;
import org.tribuoadapt.core.model.ModelProtos;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.robust.attack.DifferentiableModel;
import org.tribuoadapt.robust.protos.AdaptiveSmoothingModelProto;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An adaptive-smoothing classifier with a fixed mixing weight (Bai et al. 2024, equation 3): it predicts
 * {@code p = (1 - alpha) softmax(s_std * g(x)) + alpha softmax(s_rob * h(x))}, mixing the probabilities of an
 * accurate standard model {@code g} and a robust model {@code h} after a temperature on each.
 * <p>
 * The bases are any Tribuo classifiers that produce probabilities, including black boxes such as ONNX models: their
 * log-probabilities serve as logits, which is exact because a softmax ignores the constant that separates the two.
 * When both bases are {@link NetworkModel}s reading the same inputs the mixture is also a {@link DifferentiableModel},
 * so white-box attacks can target it as a whole.
 */
public final class AdaptiveSmoothingModel extends Model<Label> implements DifferentiableModel {
    private static final long serialVersionUID = 1L;

    /** The protobuf serialization version. */
    public static final int CURRENT_VERSION = 0;

    /** Examples sent to the base models at once. */
    private static final int BATCH_SIZE = 256;

    /** The smallest probability taken to the log, so that a zero probability has a finite log. */
    private static final float SMALLEST_PROBABILITY = 1e-30f;

    private final Model<Label> standard;
    private final Model<Label> robust;
    private final double alpha;
    private final double standardTemperature;
    private final double robustTemperature;

    /**
     * Creates the model; {@link AdaptiveSmoothingTrainer} calls this.
     * @param name The model name.
     * @param provenance The provenance, naming both base models.
     * @param featureIDMap The features of both bases.
     * @param outputIDInfo The labels, in the standard model's order.
     * @param standard The standard model.
     * @param robust The robust model.
     * @param alpha The robust model's weight, in [0, 1].
     * @param standardTemperature The standard model's logit scale.
     * @param robustTemperature The robust model's logit scale.
     * @throws IllegalArgumentException if alpha is outside [0, 1], a temperature is not positive, or the bases
     * predict different labels.
     */
    AdaptiveSmoothingModel(String name, ModelProvenance provenance, ImmutableFeatureMap featureIDMap,
                           ImmutableOutputInfo<Label> outputIDInfo, Model<Label> standard, Model<Label> robust,
                           double alpha, double standardTemperature, double robustTemperature) {
        super(name, provenance, featureIDMap, outputIDInfo, true);
        ProbabilityMixing.checkAlpha(alpha);
        ProbabilityMixing.checkTemperature("the standard temperature", standardTemperature);
        ProbabilityMixing.checkTemperature("the robust temperature", robustTemperature);
        BaseModels.checkSameLabels(standard, robust);
        this.standard = standard;
        this.robust = robust;
        this.alpha = alpha;
        this.standardTemperature = standardTemperature;
        this.robustTemperature = robustTemperature;
    }

    /**
     * The standard (accurate) base model.
     * @return The model.
     */
    public Model<Label> standardModel() {
        return standard;
    }

    /**
     * The robust base model.
     * @return The model.
     */
    public Model<Label> robustModel() {
        return robust;
    }

    /**
     * The robust model's weight.
     * @return Alpha, in [0, 1].
     */
    public double alpha() {
        return alpha;
    }

    /**
     * The standard model's logit scale.
     * @return The temperature.
     */
    public double standardTemperature() {
        return standardTemperature;
    }

    /**
     * The robust model's logit scale.
     * @return The temperature.
     */
    public double robustTemperature() {
        return robustTemperature;
    }

    @Override
    public Prediction<Label> predict(Example<Label> example) {
        return innerPredict(Collections.singletonList(example)).get(0);
    }

    @Override
    protected List<Prediction<Label>> innerPredict(Iterable<Example<Label>> examples) {
        List<Example<Label>> all = new ArrayList<>();
        examples.forEach(all::add);
        List<Prediction<Label>> out = new ArrayList<>(all.size());
        for (int from = 0; from < all.size(); from += BATCH_SIZE) {
            out.addAll(predictBatch(all.subList(from, Math.min(all.size(), from + BATCH_SIZE))));
        }
        return out;
    }

    private List<Prediction<Label>> predictBatch(List<Example<Label>> batch) {
        float[] standardLog = logProbabilities(standard.predict(batch));
        float[] robustLog = logProbabilities(robust.predict(batch));
        Shape shape = new Shape(batch.size(), outputIDInfo.size());
        float[] probabilities;
        try (NDManager manager = DjlRuntime.newManager()) {
            NDArray mixed = ProbabilityMixing.logMix(manager.create(standardLog, shape), manager.create(robustLog, shape),
                    alpha, standardTemperature, robustTemperature);
            probabilities = mixed.exp().toFloatArray();
        }
        return LabelPredictions.fromProbabilities(probabilities, batch, outputIDInfo, featureIDMap);
    }

    /** Reads predictions' probabilities, in this model's label order, as logs. */
    private float[] logProbabilities(List<Prediction<Label>> predictions) {
        int classes = outputIDInfo.size();
        float[] out = new float[predictions.size() * classes];
        for (int i = 0; i < predictions.size(); i++) {
            Map<String, Label> scores = predictions.get(i).getOutputScores();
            for (int c = 0; c < classes; c++) {
                double p = scores.get(outputIDInfo.getOutput(c).getLabel()).getScore();
                out[i * classes + c] = (float) Math.log(Math.max(p, SMALLEST_PROBABILITY));
            }
        }
        return out;
    }

    @Override
    public boolean isDifferentiable() {
        if (!(standard instanceof AbstractNetworkModel standardNetwork)
                || !(robust instanceof AbstractNetworkModel robustNetwork)) {
            return false;
        }
        try {
            BaseModels.checkSameInputs(standardNetwork, robustNetwork);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public FeatureTensorizer tensorizer() {
        return networkBase(standard).tensorizer();
    }

    @Override
    public LogitNetwork newClassifier() {
        AbstractNetworkModel standardNetwork = networkBase(standard);
        AbstractNetworkModel robustNetwork = networkBase(robust);
        BaseModels.checkSameInputs(standardNetwork, robustNetwork);
        return MixedNetworks.fixed(standardNetwork, robustNetwork, alpha, standardTemperature, robustTemperature);
    }

    private AbstractNetworkModel networkBase(Model<Label> base) {
        if (!(base instanceof AbstractNetworkModel network)) {
            throw new UnsupportedOperationException("this mixture cannot be differentiated: its base model "
                    + base.getName() + " is a " + base.getClass().getSimpleName() + ", which holds no network");
        }
        return network;
    }

    @Override
    public Map<String, List<com.oracle.labs.mlrg.olcut.util.Pair<String, Double>>> getTopFeatures(int n) {
        return Collections.emptyMap();
    }

    @Override
    public Optional<Excuse<Label>> getExcuse(Example<Label> example) {
        return Optional.empty();
    }

    @Override
    protected AdaptiveSmoothingModel copy(String newName, ModelProvenance newProvenance) {
        return new AdaptiveSmoothingModel(newName, newProvenance, featureIDMap, outputIDInfo, standard, robust, alpha,
                standardTemperature, robustTemperature);
    }

    @Override
    public ModelProto serialize() {
        ModelDataCarrier<Label> carrier = createDataCarrier();
        AdaptiveSmoothingModelProto data = AdaptiveSmoothingModelProto.newBuilder()
                .setMetadata(Any.pack(carrier.serialize()))
                .setStandard(Any.pack(standard.serialize()))
                .setRobust(Any.pack(robust.serialize()))
                .setAlpha(alpha)
                .setStandardTemperature(standardTemperature)
                .setRobustTemperature(robustTemperature)
                .build();
        return ModelProtos.wrap(AdaptiveSmoothingModel.class, CURRENT_VERSION, data);
    }

    /**
     * Deserialization factory, called by Tribuo's {@code Model.deserialize}.
     * @param version The serialized version.
     * @param className The class name.
     * @param message The serialized data.
     * @return The model.
     * @throws InvalidProtocolBufferException if the message is not an adaptive-smoothing model.
     */
    public static AdaptiveSmoothingModel deserializeFromProto(int version, String className, Any message)
            throws InvalidProtocolBufferException {
        ModelProtos.checkVersion(version, CURRENT_VERSION);
        AdaptiveSmoothingModelProto proto = message.unpack(AdaptiveSmoothingModelProto.class);
        ModelDataCarrier<?> carrier = ModelProtos.metadata(proto.getMetadata());
        return new AdaptiveSmoothingModel(carrier.name(), carrier.provenance(), carrier.featureDomain(),
                ModelProtos.labelInfo(carrier, "AdaptiveSmoothingModel"), SerializedBases.model(proto.getStandard(), "standard"),
                SerializedBases.model(proto.getRobust(), "robust"), proto.getAlpha(), proto.getStandardTemperature(),
                proto.getRobustTemperature());
    }

    @Override
    public String toString() {
        return "AdaptiveSmoothingModel(name=" + name + ",alpha=" + alpha + ",standardTemperature=" + standardTemperature
                + ",robustTemperature=" + robustTemperature + ",standard=" + standard.getName() + ",robust="
                + robust.getName() + ")";
    }
}
