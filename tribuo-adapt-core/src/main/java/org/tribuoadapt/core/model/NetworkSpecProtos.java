package org.tribuoadapt.core.model;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.protos.NetworkSpecProto;
import org.tribuoadapt.core.provenance.ConfiguredObjects;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stores a {@link NetworkSpec} in a protobuf message: its configuration as OLCUT provenance, plus the binary
 * {@link NetworkSpec#resources() resources} its layers are built from (a frozen ONNX model), so that a stored model
 * does not depend on the files they were read from. Models that keep a spec use it for their spec field.
 */
public final class NetworkSpecProtos {

    private NetworkSpecProtos() {}

    /**
     * Packs a spec. A spec without resources is packed as its bare provenance, as models have always stored it.
     * @param spec The spec.
     * @return The packed message.
     */
    public static Any pack(NetworkSpec spec) {
        Any configuration = ConfiguredObjects.pack(spec.getProvenance());
        Map<String, byte[]> resources = spec.resources();
        if (resources.isEmpty()) {
            return configuration;
        }
        NetworkSpecProto.Builder proto = NetworkSpecProto.newBuilder().setConfiguration(configuration);
        for (Map.Entry<String, byte[]> e : resources.entrySet()) {
            proto.putResources(e.getKey(), ByteString.copyFrom(e.getValue()));
        }
        return Any.pack(proto.build());
    }

    /**
     * Rebuilds a spec packed by {@link #pack} and hands it its stored resources.
     * @param message The packed spec.
     * @return The spec.
     * @throws IllegalArgumentException if the message is not a packed spec or its resources do not belong to it.
     */
    public static NetworkSpec unpack(Any message) {
        if (!message.is(NetworkSpecProto.class)) {
            return ConfiguredObjects.unpackObject(message, NetworkSpec.class);
        }
        NetworkSpecProto proto;
        try {
            proto = message.unpack(NetworkSpecProto.class);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("the stored network spec is corrupt: " + e.getMessage(), e);
        }
        NetworkSpec spec = ConfiguredObjects.unpackObject(proto.getConfiguration(), NetworkSpec.class);
        Map<String, byte[]> resources = new LinkedHashMap<>();
        for (Map.Entry<String, ByteString> e : proto.getResourcesMap().entrySet()) {
            resources.put(e.getKey(), e.getValue().toByteArray());
        }
        return spec.withResources(resources);
    }
}
