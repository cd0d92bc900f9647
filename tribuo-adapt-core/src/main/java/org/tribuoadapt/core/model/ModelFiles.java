package org.tribuoadapt.core.model;

import com.google.protobuf.InvalidProtocolBufferException;
import org.tribuo.Model;
import org.tribuo.protos.core.ModelProto;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads Tribuo model files (protobuf, as {@link Model#serializeToFile} writes them) with errors that name the file
 * and say in words what is wrong with it: missing, empty, truncated or corrupt, of an unknown model class, or changed
 * after it was written (a {@link NetworkModel}'s weights no longer match the SHA-256 its provenance records).
 */
public final class ModelFiles {

    private ModelFiles() {}

    /**
     * Loads a model file.
     * @param file The file.
     * @return The model.
     * @throws IllegalArgumentException naming the file and the problem.
     */
    public static Model<?> load(Path file) {
        ModelProto proto;
        try (InputStream in = Files.newInputStream(file)) {
            if (Files.size(file) == 0) {
                throw new IllegalArgumentException("model file '" + file + "' is empty");
            }
            proto = ModelProto.parseFrom(in);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("model file '" + file + "' does not exist", e);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("model file '" + file + "' is truncated or corrupt: it is not a complete "
                    + "Tribuo protobuf model (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read model file '" + file + "': " + e.getMessage(), e);
        }
        if (proto.getClassName().isEmpty()) {
            throw new IllegalArgumentException("model file '" + file + "' is not a Tribuo protobuf model: it names no "
                    + "model class");
        }
        try {
            return Model.deserialize(proto);
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new IllegalArgumentException("model file '" + file + "' cannot be loaded: " + rootMessage(e), e);
        }
    }

    /** Tribuo wraps a model class's own error in reflection errors; the innermost message says what is wrong. */
    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }
}
