package org.tribuoadapt.peft.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The contents of a Hugging Face PEFT {@code adapter_config.json}: typed reads that name the field and the expected
 * type when the file holds something else, and writes in PEFT's field names. Every method's spec converts itself to
 * and from this form. It knows no method: the method registry ({@code org.tribuoadapt.peft.PeftMethods}) picks the
 * reader by {@link #peftType()}.
 */
public final class PeftConfigJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final ObjectNode node;
    private final String source;

    private PeftConfigJson(ObjectNode node, String source) {
        this.node = node;
        this.source = source;
    }

    /**
     * Parses the contents of an {@code adapter_config.json}.
     * @param bytes The file's bytes (UTF-8).
     * @param source The file's name, for messages.
     * @return The configuration.
     * @throws AdapterFormatException naming the source if it is not valid JSON or not a JSON object.
     */
    public static PeftConfigJson parse(byte[] bytes, String source) throws AdapterFormatException {
        JsonNode root;
        try {
            root = MAPPER.readTree(new String(bytes, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new AdapterFormatException(source + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new AdapterFormatException(source + " must hold a JSON object, found " + (root == null ? "nothing" : root.getNodeType()));
        }
        return new PeftConfigJson((ObjectNode) root, source);
    }

    /**
     * Starts a configuration for writing.
     * @param peftType PEFT's method name, e.g. {@code LORA}.
     * @return The configuration.
     */
    public static PeftConfigJson create(String peftType) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("peft_type", peftType);
        return new PeftConfigJson(node, "a new adapter configuration");
    }

    /** @return Where this configuration came from, for messages. */
    public String source() {
        return source;
    }

    /** @return PEFT's method name, or null when the field is absent. */
    public String peftType() {
        return string("peft_type", null);
    }

    private JsonNode field(String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : value;
    }

    private IllegalArgumentException wrongType(String name, String expected) {
        return new IllegalArgumentException(source + ": field '" + name + "' must be " + expected + ", found "
                + node.get(name));
    }

    /**
     * Reads an integer field.
     * @param name The field.
     * @param defaultValue The value when absent or null.
     * @return The value.
     */
    public int integer(String name, int defaultValue) {
        JsonNode v = field(name);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isIntegralNumber() && !(v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) {
            throw wrongType(name, "an integer");
        }
        return v.asInt();
    }

    /**
     * Reads a number field.
     * @param name The field.
     * @param defaultValue The value when absent or null.
     * @return The value.
     */
    public double number(String name, double defaultValue) {
        JsonNode v = field(name);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isNumber()) {
            throw wrongType(name, "a number");
        }
        return v.asDouble();
    }

    /**
     * Reads a boolean field.
     * @param name The field.
     * @param defaultValue The value when absent or null.
     * @return The value.
     */
    public boolean bool(String name, boolean defaultValue) {
        JsonNode v = field(name);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isBoolean()) {
            throw wrongType(name, "true or false");
        }
        return v.asBoolean();
    }

    /**
     * Reads a string field.
     * @param name The field.
     * @param defaultValue The value when absent or null.
     * @return The value.
     */
    public String string(String name, String defaultValue) {
        JsonNode v = field(name);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isTextual()) {
            throw wrongType(name, "a string");
        }
        return v.asText();
    }

    /**
     * Reads a field that is either a string or a boolean (PEFT's {@code init_lora_weights}).
     * @param name The field.
     * @param defaultValue The value when absent or null.
     * @return The string, or "true"/"false".
     */
    public String stringOrBoolean(String name, String defaultValue) {
        JsonNode v = field(name);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isTextual() && !v.isBoolean()) {
            throw wrongType(name, "a string or a boolean");
        }
        return v.asText();
    }

    /**
     * Whether a field holds a string (rather than a list).
     * @param name The field.
     * @return True for a string.
     */
    public boolean isString(String name) {
        JsonNode v = field(name);
        return v != null && v.getNodeType() == JsonNodeType.STRING;
    }

    /**
     * Reads a list of strings; PEFT writes sets as lists.
     * @param name The field.
     * @return The strings (empty when absent or null).
     */
    public List<String> strings(String name) {
        JsonNode v = field(name);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (!v.isArray()) {
            throw wrongType(name, "a list of strings");
        }
        for (JsonNode item : v) {
            if (!item.isTextual()) {
                throw wrongType(name, "a list of strings");
            }
            out.add(item.asText());
        }
        return out;
    }

    /**
     * Reads an object of integers ({@code rank_pattern}).
     * @param name The field.
     * @return The map in file order (empty when absent).
     */
    public Map<String, Integer> integerMap(String name) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : objectEntries(name)) {
            if (!e.getValue().isIntegralNumber()) {
                throw wrongType(name, "an object of integers");
            }
            out.put(e.getKey(), e.getValue().asInt());
        }
        return out;
    }

    /**
     * Reads an object of numbers ({@code alpha_pattern}).
     * @param name The field.
     * @return The map in file order (empty when absent).
     */
    public Map<String, Double> numberMap(String name) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : objectEntries(name)) {
            if (!e.getValue().isNumber()) {
                throw wrongType(name, "an object of numbers");
            }
            out.put(e.getKey(), e.getValue().asDouble());
        }
        return out;
    }

    /**
     * Reads a nested configuration object (such as LoRA's {@code corda_config}).
     * @param name The field.
     * @return The object, named {@code source.name} in messages, or null when absent or null.
     */
    public PeftConfigJson object(String name) {
        JsonNode v = field(name);
        if (v == null) {
            return null;
        }
        if (!v.isObject()) {
            throw wrongType(name, "an object");
        }
        return new PeftConfigJson((ObjectNode) v, source + "." + name);
    }

    private List<Map.Entry<String, JsonNode>> objectEntries(String name) {
        JsonNode v = field(name);
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (!v.isObject()) {
            throw wrongType(name, "an object");
        }
        v.fields().forEachRemaining(out::add);
        return out;
    }

    /**
     * Fails if a field of a feature this project does not implement is set (not null, false, empty or the given
     * neutral value).
     * @param name The field.
     * @param neutral Values that mean the feature is off, besides null.
     * @throws IllegalArgumentException naming the field and its value.
     */
    public void requireUnset(String name, Object... neutral) {
        JsonNode v = field(name);
        if (v == null || (v.isBoolean() && !v.asBoolean()) || ((v.isArray() || v.isObject()) && v.isEmpty())) {
            return;
        }
        for (Object n : neutral) {
            if (MAPPER.valueToTree(n).equals(v)) {
                return;
            }
        }
        throw new IllegalArgumentException(source + ": field '" + name + "' = " + v + " is not supported by Tribuo Adapt");
    }

    /**
     * Writes a value (a number, boolean, string, null, collection of strings or map).
     * @param name The field.
     * @param value The value.
     * @return This.
     */
    public PeftConfigJson put(String name, Object value) {
        if (value instanceof Collection) {
            ArrayNode array = node.putArray(name);
            for (Object item : (Collection<?>) value) {
                array.add(item.toString());
            }
        } else if (value instanceof Map) {
            node.set(name, MAPPER.valueToTree(new TreeMap<>((Map<?, ?>) value)));
        } else {
            node.set(name, MAPPER.valueToTree(value));
        }
        return this;
    }

    @Override
    public String toString() {
        return node.toPrettyString();
    }
}
