package org.tribuoadapt.core.provenance;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.config.ConfigurationData;
import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.protobuf.ProtoProvenanceSerialization;
import com.oracle.labs.mlrg.olcut.config.protobuf.protos.RootProvenanceProto;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;

import java.util.List;

/**
 * Rebuilds configurable objects from their provenance, and carries configured-object provenance inside protobuf
 * messages. A network model stores its spec this way, and reproduction rebuilds trainers and data sources with it.
 */
public final class ConfiguredObjects {

    private static final ProtoProvenanceSerialization SERIALIZATION = new ProtoProvenanceSerialization(false);

    private ConfiguredObjects() {}

    /**
     * Creates a new object with the configuration recorded in {@code provenance} (OLCUT's provenance to
     * configuration round trip).
     * @param provenance The configured-object provenance.
     * @param type The expected type.
     * @param <T> The type.
     * @return A new, configured object.
     * @throws IllegalStateException if the provenance describes an object of another type.
     */
    public static <T extends Configurable> T instantiate(ConfiguredObjectProvenance provenance, Class<T> type) {
        List<ConfigurationData> configuration = ProvenanceUtil.extractConfiguration(provenance);
        ConfigurationManager manager = new ConfigurationManager();
        manager.addConfiguration(configuration);
        Configurable object = manager.lookup(ProvenanceUtil.computeName(provenance, 0));
        if (!type.isInstance(object)) {
            throw new IllegalStateException("the provenance describes a " + object.getClass().getName()
                    + ", expected a " + type.getName());
        }
        return type.cast(object);
    }

    /**
     * Packs an object's provenance into a protobuf {@link Any} (an OLCUT {@code RootProvenanceProto}).
     * @param provenance The provenance.
     * @return The packed message.
     */
    public static Any pack(ObjectProvenance provenance) {
        RootProvenanceProto proto = SERIALIZATION.serializeToProto(ProvenanceUtil.marshalProvenance(provenance));
        return Any.pack(proto);
    }

    /**
     * Unpacks provenance written by {@link #pack}.
     * @param message The packed message.
     * @return The provenance.
     * @throws IllegalArgumentException if the message is not a packed provenance.
     */
    public static ObjectProvenance unpack(Any message) {
        try {
            RootProvenanceProto proto = message.unpack(RootProvenanceProto.class);
            return ProvenanceUtil.unmarshalProvenance(SERIALIZATION.deserializeFromProto(proto));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("expected packed OLCUT provenance, found " + message.getTypeUrl(), e);
        }
    }

    /**
     * Rebuilds a configurable object from provenance packed by {@link #pack}.
     * @param message The packed provenance.
     * @param type The expected type.
     * @param <T> The type.
     * @return A new, configured object.
     */
    public static <T extends Configurable> T unpackObject(Any message, Class<T> type) {
        ObjectProvenance provenance = unpack(message);
        if (!(provenance instanceof ConfiguredObjectProvenance)) {
            throw new IllegalArgumentException("expected the provenance of a configurable object, found "
                    + provenance.getClass().getName());
        }
        return instantiate((ConfiguredObjectProvenance) provenance, type);
    }
}
