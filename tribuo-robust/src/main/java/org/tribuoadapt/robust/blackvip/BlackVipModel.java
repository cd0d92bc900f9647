package org.tribuoadapt.robust.blackvip;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import org.tribuo.Example;
import org.tribuo.Excuse;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.impl.ModelDataCarrier;
import org.tribuo.protos.core.ModelProto;
import org.tribuo.provenance.ModelProvenance;
import org.tribuoadapt.core.model.ModelProtos;
import org.tribuoadapt.core.provenance.ConfiguredObjects;
import org.tribuoadapt.robust.attack.ProbabilityQueries;
import org.tribuoadapt.robust.protos.BlackVipModelProto;
import org.tribuoadapt.robust.smoothing.SerializedBases;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A frozen black-box classifier with BlackVIP's visual prompt (Oh et al., "BlackVIP: Black-Box Visual Prompting for
 * Robust Transfer Learning", CVPR 2023): each image {@code x} is replaced by
 * {@code clip(x + promptBound * tanh(decoder(encoder(x))), 0, 1)}, the coordinator's input-dependent prompt, and
 * the black box predicts that. The black box is only asked for predictions, so any Tribuo classifier with
 * probabilities works, an {@code ONNXExternalModel} included. The model is immutable: it holds the black box and
 * the coordinator's weights, and builds a fresh coordinator network for each prediction call.
 */
public final class BlackVipModel extends Model<Label> {
    private static final long serialVersionUID = 1L;

    /** The protobuf serialization version. */
    public static final int CURRENT_VERSION = 0;

    /** Images prompted and predicted together. */
    private static final int BATCH_SIZE = 256;

    private final Model<Label> blackBox;
    private final CoordinatorSpec coordinator;
    private final byte[] coordinatorWeights;
    private final long trainingQueries;

    /**
     * Creates the model; {@link BlackVipTrainer} calls this.
     * @param name The model name.
     * @param provenance The provenance, naming the black box.
     * @param blackBox The black-box classifier; it must predict probabilities of images of the coordinator's shape.
     * @param coordinator The coordinator's architecture.
     * @param coordinatorWeights The coordinator's weights, as safetensors bytes.
     * @param trainingQueries The black-box queries spent in training.
     * @throws IllegalArgumentException if the black box gives no probabilities, its features are not such images, or
     * the weights do not fit.
     */
    BlackVipModel(String name, ModelProvenance provenance, Model<Label> blackBox, CoordinatorSpec coordinator,
                  byte[] coordinatorWeights, long trainingQueries) {
        super(name, provenance, blackBox.getFeatureIDMap(), blackBox.getOutputIDInfo(), true);
        queries(blackBox, coordinator);
        this.blackBox = blackBox;
        this.coordinator = coordinator;
        this.coordinatorWeights = coordinatorWeights.clone();
        this.trainingQueries = trainingQueries;
        Coordinator.load(coordinator, this.coordinatorWeights).close();
    }

    /**
     * Prepares counted queries to a black box for a coordinator's images.
     * @param blackBox The black box.
     * @param coordinator The coordinator's architecture.
     * @return The queries.
     * @throws IllegalArgumentException if the black box gives no probabilities or its features are not such images.
     */
    static ProbabilityQueries queries(Model<Label> blackBox, CoordinatorSpec coordinator) {
        return new ProbabilityQueries(blackBox, "BlackVIP", coordinator.channels(), coordinator.height(),
                coordinator.width());
    }

    /**
     * The black-box classifier.
     * @return The model.
     */
    public Model<Label> blackBox() {
        return blackBox;
    }

    /**
     * The coordinator's architecture.
     * @return The spec.
     */
    public CoordinatorSpec coordinatorSpec() {
        return coordinator;
    }

    /**
     * The coordinator's weights.
     * @return A copy of the safetensors bytes.
     */
    public byte[] coordinatorWeights() {
        return coordinatorWeights.clone();
    }

    /**
     * The black-box queries spent in training (also in the run provenance).
     * @return The number of images the black box predicted.
     */
    public long trainingQueries() {
        return trainingQueries;
    }

    /**
     * The prompted images the black box sees.
     * @param examples The examples.
     * @return Dense prompted examples in the black box's feature space, with the same labels.
     */
    public List<Example<Label>> prompted(List<? extends Example<Label>> examples) {
        ProbabilityQueries queries = queries(blackBox, coordinator);
        List<Example<Label>> out = new ArrayList<>(examples.size());
        try (Coordinator network = Coordinator.load(coordinator, coordinatorWeights)) {
            for (int from = 0; from < examples.size(); from += BATCH_SIZE) {
                List<? extends Example<Label>> batch = examples.subList(from, Math.min(examples.size(), from + BATCH_SIZE));
                float[] images = queries.tensorizer().toArray(batch);
                float[] prompted = network.prompt(images, network.encode(images, batch.size()), batch.size());
                for (int i = 0; i < batch.size(); i++) {
                    out.add(queries.example(batch.get(i).getOutput(), prompted, i * queries.imageSize()));
                }
            }
        }
        return out;
    }

    @Override
    public Prediction<Label> predict(Example<Label> example) {
        return innerPredict(Collections.singletonList(example)).get(0);
    }

    @Override
    protected List<Prediction<Label>> innerPredict(Iterable<Example<Label>> examples) {
        List<Example<Label>> all = new ArrayList<>();
        examples.forEach(all::add);
        List<Prediction<Label>> predicted = blackBox.predict(prompted(all));
        List<Prediction<Label>> out = new ArrayList<>(all.size());
        for (int i = 0; i < all.size(); i++) {
            Prediction<Label> p = predicted.get(i);
            out.add(new Prediction<>(p.getOutput(), p.getOutputScores(), all.get(i).size(), all.get(i), true));
        }
        return out;
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
    protected BlackVipModel copy(String newName, ModelProvenance newProvenance) {
        return new BlackVipModel(newName, newProvenance, blackBox, coordinator, coordinatorWeights, trainingQueries);
    }

    @Override
    public ModelProto serialize() {
        ModelDataCarrier<Label> carrier = createDataCarrier();
        BlackVipModelProto data = BlackVipModelProto.newBuilder()
                .setMetadata(Any.pack(carrier.serialize()))
                .setBlackBox(Any.pack(blackBox.serialize()))
                .setCoordinator(ConfiguredObjects.pack(coordinator.getProvenance()))
                .setCoordinatorWeights(ByteString.copyFrom(coordinatorWeights))
                .setTrainingQueries(trainingQueries)
                .build();
        return ModelProtos.wrap(BlackVipModel.class, CURRENT_VERSION, data);
    }

    /**
     * Deserialization factory, called by Tribuo's {@code Model.deserialize}.
     * @param version The serialized version.
     * @param className The class name.
     * @param message The serialized data.
     * @return The model.
     * @throws InvalidProtocolBufferException if the message is not a BlackVIP model.
     */
    public static BlackVipModel deserializeFromProto(int version, String className, Any message)
            throws InvalidProtocolBufferException {
        ModelProtos.checkVersion(version, CURRENT_VERSION);
        BlackVipModelProto proto = message.unpack(BlackVipModelProto.class);
        ModelDataCarrier<?> carrier = ModelProtos.metadata(proto.getMetadata());
        ImmutableOutputInfo<Label> labels = ModelProtos.labelInfo(carrier, "BlackVipModel");
        Model<Label> blackBox = SerializedBases.model(proto.getBlackBox(), "black box");
        if (!labels.getDomain().equals(blackBox.getOutputIDInfo().getDomain())) {
            throw new IllegalStateException("the stored BlackVIP model's labels differ from its black box's");
        }
        CoordinatorSpec coordinator = ConfiguredObjects.unpackObject(proto.getCoordinator(), CoordinatorSpec.class);
        return new BlackVipModel(carrier.name(), carrier.provenance(), blackBox, coordinator,
                proto.getCoordinatorWeights().toByteArray(), proto.getTrainingQueries());
    }

    @Override
    public String toString() {
        return "BlackVipModel(name=" + name + ",coordinator=" + coordinator + ",blackBox=" + blackBox.getName()
                + ",trainingQueries=" + trainingQueries + ")";
    }
}
