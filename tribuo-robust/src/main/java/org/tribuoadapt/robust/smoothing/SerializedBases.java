package org.tribuoadapt.robust.smoothing;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.protos.core.ModelProto;
import org.tribuoadapt.core.model.NetworkModel;

/**
 * Reads the parts that the mixture models' protobuf messages share: base models packed as Tribuo
 * {@code ModelProto}s, and the label domain of the stored metadata.
 */
public final class SerializedBases {

    private SerializedBases() {}

    /**
     * Unpacks a base model.
     * @param packed The packed {@code ModelProto}.
     * @param role Which base, for messages.
     * @return The model.
     * @throws InvalidProtocolBufferException if the message holds no model.
     * @throws IllegalStateException if the model is not a classifier.
     */
    public static Model<Label> model(Any packed, String role) throws InvalidProtocolBufferException {
        Model<?> model = Model.deserialize(packed.unpack(ModelProto.class));
        if (!model.validate(Label.class)) {
            throw new IllegalStateException("the stored " + role + " base model is not a Label classifier");
        }
        return model.castModel(Label.class);
    }

    /**
     * Unpacks a base network model.
     * @param packed The packed {@code ModelProto}.
     * @param role Which base, for messages.
     * @return The model.
     * @throws InvalidProtocolBufferException if the message holds no model.
     * @throws IllegalStateException if the model is not a {@link NetworkModel}.
     */
    static NetworkModel network(Any packed, String role) throws InvalidProtocolBufferException {
        Model<Label> model = model(packed, role);
        return NetworkModel.require(model, "the stored " + role + " base model");
    }
}
