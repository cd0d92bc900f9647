package org.tribuoadapt.hpo.search.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.tribuoadapt.hpo.search.CategoricalDistribution;
import org.tribuoadapt.hpo.search.Distribution;
import org.tribuoadapt.hpo.search.FloatDistribution;
import org.tribuoadapt.hpo.search.IntDistribution;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Distributions in the JSON of Optuna's {@code distribution_to_json}: {@code {"name": "FloatDistribution",
 * "attributes": {...}}}, and {@code IntDistribution} and {@code CategoricalDistribution} likewise. The journal stores
 * this JSON as a string inside each operation.
 */
final class DistributionJson {

    private DistributionJson() {}

    static String write(ObjectMapper mapper, Distribution distribution) {
        ObjectNode root = mapper.createObjectNode();
        ObjectNode attributes = mapper.createObjectNode();
        if (distribution instanceof FloatDistribution f) {
            root.put("name", "FloatDistribution");
            if (f.step() == null) {
                attributes.putNull("step");
            } else {
                attributes.put("step", f.step());
            }
            attributes.put("low", f.low()).put("high", f.high()).put("log", f.log());
        } else if (distribution instanceof IntDistribution i) {
            root.put("name", "IntDistribution");
            attributes.put("log", i.log()).put("step", i.step()).put("low", i.low()).put("high", i.high());
        } else {
            root.put("name", "CategoricalDistribution");
            ArrayNode choices = attributes.putArray("choices");
            ((CategoricalDistribution) distribution).choices().forEach(choices::add);
        }
        root.set("attributes", attributes);
        return root.toString();
    }

    static Distribution read(ObjectMapper mapper, String json) {
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("distribution is not JSON: " + json, e);
        }
        JsonNode a = root.path("attributes");
        switch (root.path("name").asText()) {
            case "FloatDistribution":
                JsonNode step = a.path("step");
                return new FloatDistribution(a.path("low").asDouble(), a.path("high").asDouble(), a.path("log").asBoolean(),
                        step.isNumber() ? step.asDouble() : null);
            case "IntDistribution":
                return new IntDistribution(a.path("low").asLong(), a.path("high").asLong(), a.path("log").asBoolean(),
                        a.path("step").asLong(1));
            case "CategoricalDistribution":
                List<String> choices = new ArrayList<>();
                a.path("choices").forEach(c -> choices.add(c.asText()));
                return new CategoricalDistribution(choices);
            default:
                throw new IllegalArgumentException("unsupported distribution " + json
                        + "; expected FloatDistribution, IntDistribution or CategoricalDistribution (Optuna >= 3.0)");
        }
    }
}
