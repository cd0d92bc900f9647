package org.tribuoadapt.core.model;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.impl.ModelDataCarrier;
import org.tribuo.protos.core.ModelDataProto;
import org.tribuo.protos.core.ModelProto;

/**
 * The Tribuo protobuf envelope every Tribuo Adapt model shares: the {@link ModelProto} with the class name and
 * version around a model's own message, the version check, and the Tribuo metadata (name, provenance, feature and
 * label domains) that each model's message carries packed in an {@link Any}.
 */
public final class ModelProtos {

    private ModelProtos() {}

    /**
     * Wraps a model's own message as Tribuo's {@code ModelProto}.
     * @param modelClass The model class, whose static {@code deserializeFromProto} reads it back.
     * @param version The serialization version.
     * @param data The model's own message.
     * @return The envelope.
     */
    public static ModelProto wrap(Class<? extends Model<?>> modelClass, int version, Message data) {
        return ModelProto.newBuilder()
                .setSerializedData(Any.pack(data))
                .setClassName(modelClass.getName())
                .setVersion(version)
                .build();
    }

    /**
     * Rejects a serialized version this code cannot read.
     * @param version The version found.
     * @param current The newest version this code writes.
     * @throws IllegalArgumentException if the version is unknown.
     */
    public static void checkVersion(int version, int current) {
        if (version < 0 || version > current) {
            throw new IllegalArgumentException("Unknown version " + version + ", this class supports at most version "
                    + current);
        }
    }

    /**
     * Reads Tribuo's model metadata packed in a model's message.
     * @param metadata The packed {@code ModelDataProto}.
     * @return The metadata.
     * @throws InvalidProtocolBufferException if it is not a {@code ModelDataProto}.
     */
    public static ModelDataCarrier<?> metadata(Any metadata) throws InvalidProtocolBufferException {
        return ModelDataCarrier.deserialize(metadata.unpack(ModelDataProto.class));
    }

    /**
     * The label domain of a classifier's metadata.
     * @param carrier The metadata.
     * @param modelKind What the model is, for the error message.
     * @return The label info.
     * @throws IllegalStateException if the stored domain does not hold labels.
     */
    public static ImmutableOutputInfo<Label> labelInfo(ModelDataCarrier<?> carrier, String modelKind) {
        Object first = carrier.outputDomain().getDomain().iterator().next();
        if (!(first instanceof Label)) {
            throw new IllegalStateException("a " + modelKind + " predicts Labels, but the stored output domain holds "
                    + first.getClass().getName());
        }
        @SuppressWarnings("unchecked") // checked against the domain's element type above
        ImmutableOutputInfo<Label> info = (ImmutableOutputInfo<Label>) carrier.outputDomain();
        return info;
    }
}
