package org.tribuoadapt.core.safetensors;

import org.tribuoadapt.core.io.AtomicFiles;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes safetensors files deterministically and, for files, atomically.
 * <p>
 * The layout follows the reference writer: tensors are ordered by decreasing dtype alignment
 * (the reverse of {@link SafetensorsDType}'s declaration order) and then by name (UTF-8 byte
 * order), {@code __metadata__} (omitted when empty) comes first with its keys sorted, the JSON is
 * compact, and the header is padded with spaces to a multiple of 8 bytes. The same tensors and
 * metadata therefore always give the same bytes, whatever the iteration order of the maps.
 */
public final class SafetensorsWriter {
    private static final JsonFactory JSON = new JsonFactory();
    private static final int HEADER_ALIGNMENT = 8;

    private static final Comparator<Map.Entry<String, TensorData>> TENSOR_ORDER =
            Comparator.<Map.Entry<String, TensorData>>comparingInt(e -> -e.getValue().dtype().ordinal())
                    .thenComparing(e -> utf8(e.getKey()), Arrays::compareUnsigned);

    /**
     * The serialized form minus the tensor bytes: the length prefix and padded header, the
     * tensors in file order, and the total file size.
     */
    private record Layout(byte[] prefixAndHeader, List<TensorData> orderedTensors, long totalSize) {
    }

    private SafetensorsWriter() {
    }

    /**
     * Serializes tensors and metadata to an in-memory safetensors file.
     *
     * @param tensors  the tensors by name; no null names or tensors, no tensor named
     *                 {@value SafetensorsFile#METADATA_KEY}.
     * @param metadata the metadata; null or empty for none.
     * @return the file contents.
     * @throws IllegalArgumentException if a name is reserved, a name or metadata string contains
     *                                  an unpaired surrogate (no UTF-8 encoding), the header
     *                                  would exceed {@link SafetensorsReader#MAX_HEADER_LENGTH}
     *                                  bytes, or the file would be too large for a Java array.
     */
    public static byte[] toBytes(Map<String, TensorData> tensors, Map<String, String> metadata) {
        return toBytes(new SafetensorsFile(tensors, metadata));
    }

    /**
     * Serializes a {@link SafetensorsFile} to an in-memory safetensors file.
     *
     * @param file the tensors and metadata.
     * @return the file contents.
     * @throws IllegalArgumentException if the header or the file would be too large.
     */
    public static byte[] toBytes(SafetensorsFile file) {
        Layout layout = layout(file);
        if (layout.totalSize() > Shapes.MAX_ARRAY_LENGTH) {
            throw new IllegalArgumentException("the safetensors file would be " + layout.totalSize()
                    + " bytes, more than fits in a Java array; write it to a file instead");
        }
        ByteBuffer out = ByteBuffer.allocate((int) layout.totalSize());
        out.put(layout.prefixAndHeader());
        for (TensorData tensor : layout.orderedTensors()) {
            out.put(tensor.asByteBuffer());
        }
        return out.array();
    }

    /**
     * Writes tensors and metadata to a safetensors file, atomically: the bytes go to a temporary
     * file in the same directory, which is synced to disk and then moved over {@code path}. On
     * any failure the temporary file is deleted and an existing file at {@code path} is left
     * unchanged.
     *
     * @param path     the file to create or replace.
     * @param tensors  the tensors by name; no null names or tensors, no tensor named
     *                 {@value SafetensorsFile#METADATA_KEY}.
     * @param metadata the metadata; null or empty for none.
     * @throws IllegalArgumentException if a name is reserved or the header would be too large;
     *                                  nothing is written then.
     * @throws IOException              if writing or moving fails.
     */
    public static void write(Path path, Map<String, TensorData> tensors, Map<String, String> metadata) throws IOException {
        write(path, new SafetensorsFile(tensors, metadata));
    }

    /**
     * Writes a {@link SafetensorsFile} atomically, like {@link #write(Path, Map, Map)}.
     *
     * @param path the file to create or replace.
     * @param file the tensors and metadata.
     * @throws IllegalArgumentException if the header would be too large; nothing is written then.
     * @throws IOException              if writing or moving fails.
     */
    public static void write(Path path, SafetensorsFile file) throws IOException {
        Objects.requireNonNull(path, "path must not be null");
        Layout layout = layout(file);
        AtomicFiles.write(path, channel -> {
            AtomicFiles.writeFully(channel, ByteBuffer.wrap(layout.prefixAndHeader()));
            for (TensorData tensor : layout.orderedTensors()) {
                AtomicFiles.writeFully(channel, tensor.asByteBuffer());
            }
        });
    }

    private static Layout layout(SafetensorsFile file) {
        Objects.requireNonNull(file, "file must not be null");
        List<Map.Entry<String, TensorData>> ordered = new ArrayList<>(file.tensors().entrySet());
        ordered.sort(TENSOR_ORDER);
        byte[] json = headerJson(ordered, file.metadata());
        int padding = (HEADER_ALIGNMENT - json.length % HEADER_ALIGNMENT) % HEADER_ALIGNMENT;
        long headerLength = (long) json.length + padding;
        if (headerLength > SafetensorsReader.MAX_HEADER_LENGTH) {
            throw new IllegalArgumentException("the safetensors header would be " + headerLength
                    + " bytes, more than the limit of " + SafetensorsReader.MAX_HEADER_LENGTH + " bytes");
        }
        ByteBuffer prefixAndHeader = ByteBuffer.allocate(SafetensorsHeader.LENGTH_PREFIX_BYTES + (int) headerLength)
                .order(ByteOrder.LITTLE_ENDIAN);
        prefixAndHeader.putLong(headerLength).put(json);
        while (prefixAndHeader.hasRemaining()) {
            prefixAndHeader.put((byte) ' ');
        }
        List<TensorData> tensors = new ArrayList<>(ordered.size());
        long total = prefixAndHeader.capacity();
        for (Map.Entry<String, TensorData> entry : ordered) {
            tensors.add(entry.getValue());
            total += entry.getValue().byteLength();
        }
        return new Layout(prefixAndHeader.array(), tensors, total);
    }

    private static byte[] headerJson(List<Map.Entry<String, TensorData>> ordered, Map<String, String> metadata) {
        ordered.forEach(entry -> checkUnicode("tensor name", entry.getKey()));
        metadata.forEach((key, value) -> {
            checkUnicode("metadata key", key);
            checkUnicode("metadata value for key '" + key + "'", value);
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            if (!metadata.isEmpty()) {
                json.writeObjectFieldStart(SafetensorsFile.METADATA_KEY);
                List<String> keys = new ArrayList<>(metadata.keySet());
                keys.sort(Comparator.comparing(SafetensorsWriter::utf8, Arrays::compareUnsigned));
                for (String key : keys) {
                    json.writeStringField(key, metadata.get(key));
                }
                json.writeEndObject();
            }
            long offset = 0;
            for (Map.Entry<String, TensorData> entry : ordered) {
                TensorData tensor = entry.getValue();
                json.writeObjectFieldStart(entry.getKey());
                json.writeStringField("dtype", tensor.dtype().headerName());
                json.writeArrayFieldStart("shape");
                for (long dim : tensor.shape()) {
                    json.writeNumber(dim);
                }
                json.writeEndArray();
                json.writeArrayFieldStart("data_offsets");
                json.writeNumber(offset);
                offset += tensor.byteLength();
                json.writeNumber(offset);
                json.writeEndArray();
                json.writeEndObject();
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing the header JSON to memory failed", e);
        }
        return out.toByteArray();
    }

    private static void checkUnicode(String what, String text) {
        if (SafetensorsHeader.hasUnpairedSurrogate(text)) {
            throw new IllegalArgumentException(what + " '" + text + "' contains an unpaired UTF-16 surrogate and cannot be encoded as UTF-8");
        }
    }



    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
