package org.tribuoadapt.robust.smoothing;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.impl.ModelDataCarrier;
import org.tribuo.protos.core.ModelProto;
import org.tribuo.provenance.ModelProvenance;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.model.AbstractNetworkModel;
import org.tribuoadapt.core.model.LogitNetwork;
import org.tribuoadapt.core.model.ModelProtos;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.provenance.ConfiguredObjects;
import org.tribuoadapt.core.safetensors.SafetensorsFormatException;
import org.tribuoadapt.core.safetensors.SafetensorsReader;
import org.tribuoadapt.robust.attack.DifferentiableModel;
import org.tribuoadapt.robust.protos.MixingNetworkModelProto;

import java.util.List;

/**
 * An adaptive-smoothing classifier whose mixing weight is predicted per input (Bai et al. 2024, sections 4.1 and
 * 4.2): a {@link MixingNetworkSpec mixing network} reads intermediate features of the frozen standard and robust
 * networks and outputs {@code gamma(x)}; the prediction is
 * {@code (1 - a) softmax(s_std g(x)) + a softmax(s_rob h(x))} with {@code a = sigmoid(gamma(x))}.
 * <p>
 * The model is a {@link DifferentiableModel}: attacks differentiate through both bases and the mixing network, so
 * they target the composite as a whole. Predictions are batched and thread-safe; the networks are built on first use
 * and freed when the model is garbage collected.
 */
public final class MixingNetworkModel extends AbstractNetworkModel {
    private static final long serialVersionUID = 1L;

    /** The protobuf serialization version. */
    public static final int CURRENT_VERSION = 0;


    private final NetworkModel standard;
    private final NetworkModel robust;
    private final MixingNetworkSpec spec;
    private final Shape standardFeatures;
    private final Shape robustFeatures;
    private final byte[] mixerWeights;
    private final double standardTemperature;
    private final double robustTemperature;

    /**
     * Creates the model; {@link MixingNetworkTrainer} calls this.
     * @param name The model name.
     * @param provenance The provenance, naming both bases.
     * @param featureIDMap The features (those of the standard network).
     * @param outputIDInfo The labels, in the standard model's order.
     * @param standard The standard network model.
     * @param robust The robust network model.
     * @param spec The mixing network's architecture.
     * @param standardFeatures The shape of the standard network's observed features.
     * @param robustFeatures The shape of the robust network's observed features.
     * @param mixerWeights The mixing network's weights, as safetensors bytes.
     * @param standardTemperature The standard model's logit scale.
     * @param robustTemperature The robust model's logit scale.
     * @throws IllegalArgumentException if the bases disagree on labels or inputs, or the weights do not fit.
     */
    MixingNetworkModel(String name, ModelProvenance provenance, ImmutableFeatureMap featureIDMap,
                       ImmutableOutputInfo<Label> outputIDInfo, NetworkModel standard, NetworkModel robust,
                       MixingNetworkSpec spec, Shape standardFeatures, Shape robustFeatures, byte[] mixerWeights,
                       double standardTemperature, double robustTemperature) {
        super(name, provenance, featureIDMap, outputIDInfo);
        BaseModels.checkSameLabels(standard, robust);
        BaseModels.checkSameInputs(standard, robust);
        ProbabilityMixing.checkTemperature("the standard temperature", standardTemperature);
        ProbabilityMixing.checkTemperature("the robust temperature", robustTemperature);
        this.standard = standard;
        this.robust = robust;
        this.spec = spec;
        this.standardFeatures = standardFeatures;
        this.robustFeatures = robustFeatures;
        this.mixerWeights = mixerWeights.clone();
        this.standardTemperature = standardTemperature;
        this.robustTemperature = robustTemperature;
        newMixer().close();
    }

    /**
     * The standard base model.
     * @return The model.
     */
    public NetworkModel standardModel() {
        return standard;
    }

    /**
     * The robust base model.
     * @return The model.
     */
    public NetworkModel robustModel() {
        return robust;
    }

    /**
     * The mixing network's architecture.
     * @return The spec.
     */
    public MixingNetworkSpec mixingNetworkSpec() {
        return spec;
    }

    /**
     * The mixing network's weights.
     * @return A copy of the safetensors bytes.
     */
    public byte[] mixingWeights() {
        return mixerWeights.clone();
    }

    /**
     * A new mixing network with this model's weights; the caller closes it.
     * @return The network.
     */
    Network newMixer() {
        Network mixer = spec.assemble(standardFeatures, robustFeatures);
        try {
            mixer.loadStateDict(SafetensorsReader.read(mixerWeights).tensors(), true);
            return mixer;
        } catch (SafetensorsFormatException e) {
            mixer.close();
            throw new IllegalArgumentException("the mixing network's weights are unreadable: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            mixer.close();
            throw e;
        }
    }

    private MixedNetworks newMixedNetworks() {
        return MixedNetworks.mixing(standard, robust, spec, newMixer(), true, standardTemperature, robustTemperature);
    }

    @Override
    public Shape inputShape() {
        return standard.inputShape();
    }

    /**
     * Both base networks (frozen) and the mixing network, computing the mixture's log-probabilities.
     * @return The computation; the caller closes it.
     */
    @Override
    public LogitNetwork newLogitNetwork() {
        return newMixedNetworks();
    }

    /**
     * The robust model's weight {@code alpha(x) = sigmoid(gamma(x))} for each example (for the {@code PAPER} variant,
     * gamma is the mixing logit after its post-processing, so alpha lies in the evaluation range).
     * @param examples The examples.
     * @return One alpha per example.
     */
    public double[] alphas(List<? extends Example<Label>> examples) {
        double[] out = new double[examples.size()];
        FeatureTensorizer tensorizer = tensorizer();
        try (MixedNetworks networks = newMixedNetworks()) {
            for (int from = 0; from < examples.size(); from += PREDICTION_BATCH_SIZE) {
                List<? extends Example<Label>> batch = examples.subList(from,
                        Math.min(examples.size(), from + PREDICTION_BATCH_SIZE));
                try (NDManager manager = DjlRuntime.newManager(); NDScope scope = new NDScope();
                     GradientMode off = GradientMode.disabled()) {
                    float[] gamma = networks.parts(tensorizer.toBatch(manager, batch)).gamma().toFloatArray();
                    for (int i = 0; i < gamma.length; i++) {
                        out[from + i] = 1 / (1 + Math.exp(-gamma[i]));
                    }
                }
            }
        }
        return out;
    }

    @Override
    protected MixingNetworkModel copy(String newName, ModelProvenance newProvenance) {
        return new MixingNetworkModel(newName, newProvenance, featureIDMap, outputIDInfo, standard, robust, spec,
                standardFeatures, robustFeatures, mixerWeights, standardTemperature, robustTemperature);
    }

    @Override
    public ModelProto serialize() {
        ModelDataCarrier<Label> carrier = createDataCarrier();
        MixingNetworkModelProto.Builder data = MixingNetworkModelProto.newBuilder()
                .setMetadata(Any.pack(carrier.serialize()))
                .setStandard(Any.pack(standard.serialize()))
                .setRobust(Any.pack(robust.serialize()))
                .setMixingNetwork(ConfiguredObjects.pack(spec.getProvenance()))
                .setMixingWeights(ByteString.copyFrom(mixerWeights))
                .setStandardTemperature(standardTemperature)
                .setRobustTemperature(robustTemperature);
        for (long d : standardFeatures.getShape()) {
            data.addStandardFeatureShape(d);
        }
        for (long d : robustFeatures.getShape()) {
            data.addRobustFeatureShape(d);
        }
        return ModelProtos.wrap(MixingNetworkModel.class, CURRENT_VERSION, data.build());
    }

    /**
     * Deserialization factory, called by Tribuo's {@code Model.deserialize}.
     * @param version The serialized version.
     * @param className The class name.
     * @param message The serialized data.
     * @return The model.
     * @throws InvalidProtocolBufferException if the message is not a mixing-network model.
     */
    public static MixingNetworkModel deserializeFromProto(int version, String className, Any message)
            throws InvalidProtocolBufferException {
        ModelProtos.checkVersion(version, CURRENT_VERSION);
        MixingNetworkModelProto proto = message.unpack(MixingNetworkModelProto.class);
        ModelDataCarrier<?> carrier = ModelProtos.metadata(proto.getMetadata());
        MixingNetworkSpec spec = ConfiguredObjects.unpackObject(proto.getMixingNetwork(), MixingNetworkSpec.class);
        return new MixingNetworkModel(carrier.name(), carrier.provenance(), carrier.featureDomain(),
                ModelProtos.labelInfo(carrier, "MixingNetworkModel"), SerializedBases.network(proto.getStandard(), "standard"),
                SerializedBases.network(proto.getRobust(), "robust"), spec,
                new Shape(proto.getStandardFeatureShapeList().stream().mapToLong(Long::longValue).toArray()),
                new Shape(proto.getRobustFeatureShapeList().stream().mapToLong(Long::longValue).toArray()),
                proto.getMixingWeights().toByteArray(), proto.getStandardTemperature(), proto.getRobustTemperature());
    }

    @Override
    public String toString() {
        return "MixingNetworkModel(name=" + name + ",mixingNetwork=" + spec + ",standard=" + standard.getName()
                + ",robust=" + robust.getName() + ")";
    }
}
