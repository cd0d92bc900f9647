package org.tribuoadapt.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.oracle.labs.mlrg.olcut.config.json.JsonProvenanceSerialization;
import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;
import com.oracle.labs.mlrg.olcut.provenance.io.ObjectMarshalledProvenance;
import com.oracle.labs.mlrg.olcut.provenance.io.ProvenanceSerializationException;

import java.io.UncheckedIOException;
import java.util.List;

/**
 * Converts OLCUT provenance to and from JSON trees using OLCUT's own marshalled-provenance JSON format, so the
 * embedded subtree is exactly what {@link JsonProvenanceSerialization} writes and reads.
 */
final class ProvenanceJson {

    private static final JsonProvenanceSerialization SERIALIZATION = new JsonProvenanceSerialization(false);

    private ProvenanceJson() {}

    /**
     * Marshals a provenance and returns OLCUT's JSON for it as a tree.
     * @param provenance The provenance.
     * @param mapper The mapper used to parse OLCUT's JSON.
     * @return A JSON array of marshalled provenance objects.
     */
    static JsonNode toJson(ObjectProvenance provenance, ObjectMapper mapper) {
        List<ObjectMarshalledProvenance> marshalled = ProvenanceUtil.marshalProvenance(provenance);
        try {
            return mapper.readTree(SERIALIZATION.serializeToString(marshalled));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("OLCUT wrote provenance JSON that Jackson cannot parse", e);
        }
    }

    /**
     * Reads OLCUT's marshalled-provenance JSON and unmarshals it.
     * @param json A JSON array as written by {@link #toJson}.
     * @param mapper The mapper used to print the tree for OLCUT.
     * @return The provenance.
     * @throws ProvenanceSerializationException If OLCUT cannot parse the JSON.
     * @throws JsonProcessingException If the tree cannot be printed.
     * @throws RuntimeException If OLCUT cannot unmarshal the provenance (e.g. a class is missing).
     */
    static ObjectProvenance fromJson(JsonNode json, ObjectMapper mapper)
            throws ProvenanceSerializationException, JsonProcessingException {
        List<ObjectMarshalledProvenance> marshalled = SERIALIZATION.deserializeFromString(
                mapper.writeValueAsString(json));
        return ProvenanceUtil.unmarshalProvenance(marshalled);
    }
}
