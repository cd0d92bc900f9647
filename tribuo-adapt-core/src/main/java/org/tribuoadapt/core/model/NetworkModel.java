package org.tribuoadapt.core.model;

import ai.djl.ndarray.types.Shape;
import ai.onnx.proto.OnnxMl;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.ONNXExportable;
import org.tribuo.classification.Label;
import org.tribuo.impl.ModelDataCarrier;
import org.tribuo.protos.core.ModelProto;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXNode;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXRef;
import org.tribuoadapt.core.io.AtomicFiles;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.protos.NetworkModelProto;
import org.tribuoadapt.core.safetensors.SafetensorsFormatException;
import org.tribuoadapt.core.safetensors.SafetensorsReader;
import org.tribuoadapt.core.safetensors.SafetensorsWriter;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.train.TrainingHistory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A trained neural network classifier: a {@link NetworkSpec} plus its weights, as an immutable Tribuo
 * {@link Model}. Predictions are batched, carry softmax probabilities for every label, and can be made from several
 * threads at once. The weights are kept as safetensors bytes in PyTorch's names and layouts; they are what
 * {@link #serialize()} stores and what {@link #exportWeights} writes, and their SHA-256 is in the provenance.
 * <p>
 * The network itself is built in native memory on first use and freed when the model is garbage collected.
 * <p>
 * The model exports to ONNX like Tribuo's own classifiers ({@link ONNXExportable}): the graph takes the flat feature
 * vector {@code [N, features]} in feature-id order and gives softmax probabilities {@code [N, labels]} in label-id
 * order, so Tribuo's {@code ONNXExternalModel} loads it as a classifier. The graph is written by the
 * {@link OnnxNetworkWriter} of the {@code tribuo-adapt-onnx} module, which must be on the class path; every layer
 * must have an ONNX exporter there; adapters are merged first.
 */
public final class NetworkModel extends AbstractNetworkModel implements ONNXExportable {
    private static final long serialVersionUID = 1L;

    /** The protobuf serialization version. */
    public static final int CURRENT_VERSION = 0;

    private final NetworkSpec spec;
    private final byte[] weights;
    private final TrainingHistory history;

    /**
     * Creates a model. Trainers and importers call this; the weights are checked against the spec.
     * @param name The model name.
     * @param provenance The provenance (its run provenance should include {@link NetworkProvenance#describeWeights}).
     * @param featureIDMap The features, whose ids give the input layout.
     * @param outputIDInfo The labels, whose ids are the output positions.
     * @param spec The architecture.
     * @param weights The weights as safetensors bytes.
     * @param history The training history, or null for imported weights.
     * @throws IllegalArgumentException if the weights do not fit the spec, or the domains do not fit the network.
     */
    public NetworkModel(String name, ModelProvenance provenance, ImmutableFeatureMap featureIDMap,
                        ImmutableOutputInfo<Label> outputIDInfo, NetworkSpec spec, byte[] weights, TrainingHistory history) {
        super(name, provenance, featureIDMap, outputIDInfo);
        this.spec = spec;
        this.weights = weights.clone();
        this.history = history;
        tensorizer();
        checkBuilds();
    }

    /**
     * The model as a network model, if it is one.
     * @param model A model.
     * @return The network model, or empty.
     */
    public static Optional<NetworkModel> asNetworkModel(Model<?> model) {
        return model instanceof NetworkModel network ? Optional.of(network) : Optional.empty();
    }

    /**
     * Requires a network model, for a component that needs its spec and weights.
     * @param model A model.
     * @param user What needs it, for the message (for example "PEFT's base model").
     * @return The model as a network model.
     * @throws IllegalArgumentException naming the model and its class, if it is another kind of model.
     */
    public static NetworkModel require(Model<?> model, String user) {
        return asNetworkModel(model).orElseThrow(() -> new IllegalArgumentException(user + " must be a NetworkModel, "
                + "but '" + model.getName() + "' is a " + model.getClass().getSimpleName()));
    }

    /**
     * Serializes a network's current weights the way a model stores them.
     * @param network The network.
     * @return Safetensors bytes.
     */
    public static byte[] weightsOf(Network network) {
        return SafetensorsWriter.toBytes(network.stateDict(), Map.of("format", "pt"));
    }

    /**
     * The architecture.
     * @return The spec.
     */
    public NetworkSpec spec() {
        return spec;
    }

    /**
     * The training history, if this model was trained by a Tribuo Adapt trainer.
     * @return The history.
     */
    public Optional<TrainingHistory> history() {
        return Optional.ofNullable(history);
    }

    /**
     * The weights, as safetensors bytes.
     * @return A copy of the bytes.
     */
    public byte[] weightBytes() {
        return weights.clone();
    }

    /**
     * The weights by PyTorch {@code state_dict} name.
     * @return An ordered map of tensors.
     */
    public Map<String, TensorData> stateDict() {
        try {
            return SafetensorsReader.read(weights).tensors();
        } catch (SafetensorsFormatException e) {
            throw new IllegalStateException("the model's stored weights are unreadable", e);
        }
    }

    /**
     * Writes the weights to a safetensors file that PyTorch's {@code load_state_dict} accepts (written atomically).
     * @param path The file.
     * @throws IOException if it cannot be written.
     */
    public void exportWeights(Path path) throws IOException {
        SafetensorsWriter.write(path, stateDict(), Map.of("format", "pt"));
    }

    /**
     * Builds a new, independent network with this model's weights, for callers that want to change it (fine-tune,
     * attach adapters, attack it). The caller closes it.
     * @return A new network.
     */
    public Network newNetwork() {
        Network network = spec.assemble(outputIDInfo.size());
        try {
            network.loadStateDict(stateDict(), true);
            return network;
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
    }

    @Override
    public Shape inputShape() {
        return spec.inputShape();
    }

    @Override
    public LogitNetwork newLogitNetwork() {
        return LogitNetwork.of(newNetwork());
    }

    @Override
    protected NetworkModel copy(String newName, ModelProvenance newProvenance) {
        return new NetworkModel(newName, newProvenance, featureIDMap, outputIDInfo, spec, weights, history);
    }

    /**
     * Exports this model as an ONNX model: the flat feature vector {@code [N, features]} (input {@code input}) to the
     * label probabilities {@code [N, labels]} (output {@code output}), with this model's provenance in the metadata.
     * @param domain A reverse-DNS name for the model.
     * @param modelVersion The model version.
     * @return The ONNX model.
     * @throws UnsupportedOperationException naming the layer, if a layer type has no ONNX exporter, or if the
     *         {@code tribuo-adapt-onnx} module is not on the class path.
     */
    @Override
    public OnnxMl.ModelProto exportONNXModel(String domain, long modelVersion) {
        ONNXContext onnx = new ONNXContext();
        onnx.setName("TribuoAdapt-NetworkModel");
        ONNXRef<?> input = onnx.floatInput("input", featureIDMap.size());
        writeONNXGraph(input).assignTo(onnx.floatOutput("output", outputIDInfo.size()));
        return ONNXExportable.buildModel(onnx, domain, modelVersion, this);
    }

    /**
     * Writes the network and a softmax into the input's ONNX graph.
     * @param input The flat feature batch {@code [N, features]}.
     * @return The probabilities {@code [N, labels]}.
     */
    @Override
    public ONNXNode writeONNXGraph(ONNXRef<?> input) {
        ONNXRef<?> logits;
        try (Network network = newNetwork()) {
            logits = OnnxNetworkWriter.onClassPath().writeNetwork(network, input);
        }
        return logits.apply(ONNXOperators.SOFTMAX, Map.<String, Object>of("axis", 1));
    }

    /**
     * Writes the ONNX model to a file atomically.
     * @param domain A reverse-DNS name for the model.
     * @param modelVersion The model version.
     * @param outputPath The file.
     * @throws IOException if it cannot be written.
     */
    @Override
    public void saveONNXModel(String domain, long modelVersion, Path outputPath) throws IOException {
        AtomicFiles.write(outputPath, exportONNXModel(domain, modelVersion).toByteArray());
    }

    @Override
    public ModelProto serialize() {
        ModelDataCarrier<Label> carrier = createDataCarrier();
        NetworkModelProto.Builder data = NetworkModelProto.newBuilder()
                .setMetadata(Any.pack(carrier.serialize()))
                .setSpec(NetworkSpecProtos.pack(spec))
                .setWeights(ByteString.copyFrom(weights));
        if (history != null) {
            data.setHistory(TrainingHistoryProtos.toProto(history));
        }
        return ModelProtos.wrap(NetworkModel.class, CURRENT_VERSION, data.build());
    }

    /**
     * Deserialization factory, called by Tribuo's {@code Model.deserialize}.
     * @param version The serialized version.
     * @param className The class name.
     * @param message The serialized data.
     * @return The model.
     * @throws InvalidProtocolBufferException if the message is not a network model.
     */
    public static NetworkModel deserializeFromProto(int version, String className, Any message)
            throws InvalidProtocolBufferException {
        ModelProtos.checkVersion(version, CURRENT_VERSION);
        NetworkModelProto proto = message.unpack(NetworkModelProto.class);
        ModelDataCarrier<?> carrier = ModelProtos.metadata(proto.getMetadata());
        ImmutableOutputInfo<Label> outputInfo = ModelProtos.labelInfo(carrier, "NetworkModel");
        NetworkSpec spec = NetworkSpecProtos.unpack(proto.getSpec());
        TrainingHistory history = proto.hasHistory() ? TrainingHistoryProtos.fromProto(proto.getHistory()) : null;
        byte[] weights = proto.getWeights().toByteArray();
        NetworkProvenance.verifyWeights(carrier.provenance(), weights);
        return new NetworkModel(carrier.name(), carrier.provenance(), carrier.featureDomain(), outputInfo, spec,
                weights, history);
    }

    @Override
    public String toString() {
        return "NetworkModel(name=" + name + ",spec=" + spec + ",labels=" + outputIDInfo.getDomain() + ")";
    }
}
