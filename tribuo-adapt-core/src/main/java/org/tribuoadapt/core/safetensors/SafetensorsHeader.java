package org.tribuoadapt.core.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The parsed and fully validated JSON header of a safetensors file.
 * <p>
 * Nothing in the header is trusted: every field is type-checked, every byte count is computed
 * with overflow checks, and the tensors must tile the data buffer exactly (no overlaps, no holes,
 * no trailing bytes), as the reference implementation requires.
 */
final class SafetensorsHeader {
    /** The size of the little-endian u64 that precedes the header. */
    static final int LENGTH_PREFIX_BYTES = 8;
    /** The reference implementation's limit on the header length, in bytes. */
    static final int MAX_HEADER_LENGTH = 100_000_000;

    private static final String DTYPE = "dtype";
    private static final String SHAPE = "shape";
    private static final String DATA_OFFSETS = "data_offsets";
    private static final Set<String> ENTRY_FIELDS = Set.of(DTYPE, SHAPE, DATA_OFFSETS);
    private static final int MAX_VALUE_CHARS_IN_MESSAGE = 40;

    private static final ObjectMapper MAPPER = JsonMapper.builder(
                    JsonFactory.builder()
                            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                            .streamReadConstraints(StreamReadConstraints.builder()
                                    .maxStringLength(MAX_HEADER_LENGTH)
                                    .maxNameLength(MAX_HEADER_LENGTH)
                                    .build())
                            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * One tensor's header entry.
     *
     * @param name  the tensor name.
     * @param dtype the element type.
     * @param shape the dimensions.
     * @param begin the first byte, relative to the start of the data buffer.
     * @param end   one past the last byte, relative to the start of the data buffer.
     */
    record Entry(String name, SafetensorsDType dtype, long[] shape, long begin, long end) {
        String describeOffsets() {
            return "[" + begin + ", " + end + "]";
        }
    }

    private final String source;
    private final long dataLength;
    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    private SafetensorsHeader(String source, long dataLength) {
        this.source = source;
        this.dataLength = dataLength;
    }

    /**
     * The tensor entries, in header order.
     *
     * @return an unmodifiable list.
     */
    List<Entry> entries() {
        return Collections.unmodifiableList(entries);
    }

    /**
     * The {@code __metadata__} entries, in header order.
     *
     * @return an unmodifiable map, empty when the header has none.
     */
    Map<String, String> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    /**
     * Creates an exception whose message starts with the source of the data.
     *
     * @param source what was being read, for example a file name.
     * @param detail what is wrong.
     * @return the exception.
     */
    static SafetensorsFormatException error(String source, String detail) {
        return new SafetensorsFormatException(source + ": " + detail);
    }

    /**
     * Checks that the input is long enough to hold the length prefix.
     *
     * @param totalSize the size of the whole input in bytes.
     * @param source    what is being read.
     * @throws SafetensorsFormatException if it is shorter than 8 bytes.
     */
    static void checkHasLengthPrefix(long totalSize, String source) throws SafetensorsFormatException {
        if (totalSize < LENGTH_PREFIX_BYTES) {
            throw error(source, "is " + totalSize + " bytes long, shorter than the " + LENGTH_PREFIX_BYTES
                    + "-byte header length prefix of a safetensors file");
        }
    }

    /**
     * Validates the header length N read from the first 8 bytes, before anything is allocated
     * for the header.
     *
     * @param prefix    the first 8 bytes of the input.
     * @param totalSize the size of the whole input in bytes.
     * @param source    what is being read.
     * @return N, which is positive, at most {@link #MAX_HEADER_LENGTH}, and fits in the input.
     * @throws SafetensorsFormatException if N is zero, over the limit, or larger than the input.
     */
    static int checkedHeaderLength(byte[] prefix, long totalSize, String source) throws SafetensorsFormatException {
        long n = ByteBuffer.wrap(prefix, 0, LENGTH_PREFIX_BYTES).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n == 0) {
            throw error(source, "header length is 0, but a header must hold at least the JSON object '{}'");
        }
        if (n < 0 || n > MAX_HEADER_LENGTH) {
            throw error(source, "header length " + Long.toUnsignedString(n) + " exceeds the limit of "
                    + MAX_HEADER_LENGTH + " bytes");
        }
        if (LENGTH_PREFIX_BYTES + n > totalSize) {
            throw error(source, "header length " + n + " needs " + (LENGTH_PREFIX_BYTES + n)
                    + " bytes including the length prefix, but the input has only " + totalSize + " bytes (truncated?)");
        }
        return (int) n;
    }

    /**
     * Parses and validates a header.
     *
     * @param bytes      an array holding the header.
     * @param offset     where the header starts in {@code bytes}.
     * @param length     the header length N.
     * @param dataLength the size of the data buffer that follows the header.
     * @param source     what is being read, used as the prefix of error messages.
     * @return the validated header.
     * @throws SafetensorsFormatException if anything about the header is malformed.
     */
    static SafetensorsHeader parse(byte[] bytes, int offset, int length, long dataLength, String source)
            throws SafetensorsFormatException {
        SafetensorsHeader header = new SafetensorsHeader(source, dataLength);
        JsonNode root = header.parseJson(bytes, offset, length);
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            header.checkUnicode("tensor name '" + field.getKey() + "'", field.getKey());
            if (SafetensorsFile.METADATA_KEY.equals(field.getKey())) {
                header.parseMetadata(field.getValue());
            } else {
                header.entries.add(header.parseEntry(field.getKey(), field.getValue()));
            }
        }
        header.checkCoverage();
        return header;
    }

    private JsonNode parseJson(byte[] bytes, int offset, int length) throws SafetensorsFormatException {
        if (bytes[offset] != '{') {
            throw error(String.format("header must start with '{' but starts with byte 0x%02X", bytes[offset] & 0xFF));
        }
        String text = decodeUtf8(bytes, offset, length);
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation location = e.getLocation();
            String where = location == null ? "" : " (at header line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
            throw new SafetensorsFormatException(source + ": header JSON is invalid: " + e.getOriginalMessage() + where, e);
        }
        if (root == null || !root.isObject()) {
            throw error("header must be a JSON object but is " + describe(root));
        }
        return root;
    }

    private String decodeUtf8(byte[] bytes, int offset, int length) throws SafetensorsFormatException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
        CharBuffer out = CharBuffer.allocate(length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw error("header is not valid UTF-8: invalid byte sequence at header byte " + (in.position() - offset));
        }
        return out.flip().toString();
    }

    private void parseMetadata(JsonNode node) throws SafetensorsFormatException {
        if (!node.isObject()) {
            throw error("'" + SafetensorsFile.METADATA_KEY + "' must be a JSON object of strings but is " + describe(node));
        }
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!field.getValue().isTextual()) {
                throw error("'" + SafetensorsFile.METADATA_KEY + "' value for key '" + field.getKey()
                        + "' must be a string but is " + describe(field.getValue()));
            }
            checkUnicode("'" + SafetensorsFile.METADATA_KEY + "' key '" + field.getKey() + "'", field.getKey());
            checkUnicode("'" + SafetensorsFile.METADATA_KEY + "' value for key '" + field.getKey() + "'", field.getValue().textValue());
            metadata.put(field.getKey(), field.getValue().textValue());
        }
    }

    private Entry parseEntry(String name, JsonNode node) throws SafetensorsFormatException {
        String tensor = "tensor '" + name + "'";
        if (!node.isObject()) {
            throw error(tensor + ": header entry must be a JSON object but is " + describe(node));
        }
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!ENTRY_FIELDS.contains(field.getKey())) {
                throw error(tensor + ": unexpected field '" + field.getKey() + "' (allowed: dtype, shape, data_offsets)");
            }
        }
        SafetensorsDType dtype = parseDtype(tensor, required(tensor, node, DTYPE));
        long[] shape = nonNegativeIntegers(tensor + ": " + SHAPE, required(tensor, node, SHAPE), -1);
        long[] offsets = nonNegativeIntegers(tensor + ": " + DATA_OFFSETS, required(tensor, node, DATA_OFFSETS), 2);
        Entry entry = new Entry(name, dtype, shape, offsets[0], offsets[1]);
        if (entry.begin() > entry.end()) {
            throw error(tensor + ": data_offsets " + entry.describeOffsets() + " begin after they end");
        }
        checkByteCount(tensor, entry);
        if (entry.end() > dataLength) {
            throw error(tensor + ": data_offsets " + entry.describeOffsets() + " extend past the end of the "
                    + dataLength + "-byte data buffer");
        }
        return entry;
    }

    private JsonNode required(String tensor, JsonNode node, String field) throws SafetensorsFormatException {
        JsonNode value = node.get(field);
        if (value == null) {
            throw error(tensor + ": missing field '" + field + "'");
        }
        return value;
    }

    private SafetensorsDType parseDtype(String tensor, JsonNode node) throws SafetensorsFormatException {
        if (!node.isTextual()) {
            throw error(tensor + ": field 'dtype' must be a string but is " + describe(node));
        }
        try {
            return SafetensorsDType.fromHeaderName(node.textValue());
        } catch (IllegalArgumentException e) {
            throw error(tensor + ": " + e.getMessage());
        }
    }

    /**
     * Reads an array of non-negative integers.
     *
     * @param what          the field, for error messages.
     * @param node          the JSON value.
     * @param requiredCount the number of elements required, or -1 for any number.
     */
    private long[] nonNegativeIntegers(String what, JsonNode node, int requiredCount) throws SafetensorsFormatException {
        if (!node.isArray()) {
            throw error(what + " must be an array of non-negative integers but is " + describe(node));
        }
        if (requiredCount >= 0 && node.size() != requiredCount) {
            throw error(what + " must have exactly " + requiredCount + " elements but has " + node.size());
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode element = node.get(i);
            String elementName = what + "[" + i + "]";
            if (!element.isIntegralNumber()) {
                throw error(elementName + " must be a non-negative integer but is " + describe(element));
            }
            if (!element.canConvertToLong()) {
                throw error(elementName + " is " + element.asText() + ", too large for a 64-bit integer");
            }
            values[i] = element.longValue();
            if (values[i] < 0) {
                throw error(elementName + " must be a non-negative integer but is " + values[i]);
            }
        }
        return values;
    }

    private void checkByteCount(String tensor, Entry entry) throws SafetensorsFormatException {
        String typeAndShape = "dtype " + entry.dtype().headerName() + " and shape " + Shapes.format(entry.shape());
        long needed;
        try {
            needed = Math.multiplyExact(Shapes.elementCount(entry.shape()), entry.dtype().byteSize());
        } catch (ArithmeticException e) {
            throw error(tensor + ": the byte count of " + typeAndShape + " overflows a 64-bit integer");
        }
        long actual = entry.end() - entry.begin();
        if (needed != actual) {
            throw error(tensor + ": " + typeAndShape + " need " + needed + " bytes but data_offsets "
                    + entry.describeOffsets() + " span " + actual + " bytes");
        }
    }

    /** Checks that the tensors tile the data buffer: no overlaps, no holes, no trailing bytes. */
    private void checkCoverage() throws SafetensorsFormatException {
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        Entry previous = null;
        for (Entry entry : byOffset) {
            if (entry.begin() < covered) {
                throw error("tensors '" + previous.name() + "' (data_offsets " + previous.describeOffsets() + ") and '"
                        + entry.name() + "' (data_offsets " + entry.describeOffsets() + ") overlap");
            }
            if (entry.begin() > covered) {
                throw error("bytes [" + covered + ", " + entry.begin() + ") of the data buffer, before tensor '"
                        + entry.name() + "', are not covered by any tensor");
            }
            covered = entry.end();
            previous = entry;
        }
        if (covered != dataLength) {
            throw error("the data buffer has " + dataLength + " bytes but the tensors cover only the first " + covered
                    + " (" + (dataLength - covered) + " trailing bytes)");
        }
    }

    /**
     * Whether a string is not well-formed UTF-16: it has a surrogate without its partner. Such a
     * string has no UTF-8 encoding, and the reference implementation rejects the JSON escapes
     * that would produce it.
     *
     * @param text the string to check.
     * @return true if it contains an unpaired surrogate.
     */
    static boolean hasUnpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private void checkUnicode(String what, String text) throws SafetensorsFormatException {
        if (hasUnpairedSurrogate(text)) {
            throw error(what + " contains an unpaired UTF-16 surrogate escape, which is not valid Unicode");
        }
    }

    private SafetensorsFormatException error(String detail) {
        return error(source, detail);
    }

    /** Describes a JSON value for an error message: its kind and, abbreviated, its text. */
    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "empty";
        }
        String text = node.toString();
        if (text.length() > MAX_VALUE_CHARS_IN_MESSAGE) {
            text = text.substring(0, MAX_VALUE_CHARS_IN_MESSAGE) + "...";
        }
        String kind = node.getNodeType().name().toLowerCase(Locale.ROOT);
        return "a JSON " + kind + " (" + text + ")";
    }
}
