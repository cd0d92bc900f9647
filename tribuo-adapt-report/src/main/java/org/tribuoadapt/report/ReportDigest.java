package org.tribuoadapt.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;

import static org.tribuoadapt.report.JsonFields.CONTENT_DIGEST;

/**
 * The SHA-256 of everything a {@code report.json} holds except its own {@code contentDigest} field, so that an edit
 * anywhere in a report (a displayed table, a result, a provenance class name) is found before reproduction starts.
 * The digest is taken over the compact JSON of the parsed document, so indentation does not matter but every value
 * does.
 */
final class ReportDigest {

    private ReportDigest() {}

    /**
     * The digest of a report document.
     * @param root The parsed document, with or without a digest field (which is left out).
     * @return The hexadecimal SHA-256, as OLCUT writes the project's other hashes.
     */
    static String of(JsonNode root) {
        ObjectNode content = ((ObjectNode) root).deepCopy();
        content.remove(CONTENT_DIGEST);
        try {
            byte[] compact = JsonReportRenderer.mapper().writer().withoutFeatures(
                    SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(content);
            return ProvenanceUtil.hashArray(ProvenanceUtil.HashType.SHA256, compact);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed report cannot be written back as JSON", e);
        }
    }
}
