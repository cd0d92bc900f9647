package org.tribuoadapt.peft.atlas;

import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.safetensors.SafetensorsFormatException;
import org.tribuoadapt.core.safetensors.SafetensorsReader;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.peft.TargetLayer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * The weights of a network fine-tuned from the base on another task, read from a safetensors file holding its
 * {@code state_dict} (PyTorch names, as {@code NetworkModel} and PyTorch save them): the source of one task vector
 * {@code tau_t = theta_t - theta_0} (Ilharco et al. 2023).
 */
final class TaskVectorFile {

    private final Path path;
    private final Map<String, TensorData> tensors;
    private final String sha256;

    private TaskVectorFile(Path path, Map<String, TensorData> tensors, String sha256) {
        this.path = path;
        this.tensors = tensors;
        this.sha256 = sha256;
    }

    /**
     * Reads a file.
     * @param path The file.
     * @param expectedSha256 Its expected SHA-256, or null.
     * @return The weights.
     * @throws IllegalArgumentException if it is not a safetensors file or its hash differs from the expected one.
     * @throws UncheckedIOException if it cannot be read.
     */
    static TaskVectorFile read(Path path, String expectedSha256) {
        try {
            byte[] bytes = Files.readAllBytes(path);
            String sha256 = NetworkProvenance.sha256(bytes);
            if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(sha256)) {
                throw new IllegalArgumentException("fine-tuned weights " + path + " have SHA-256 " + sha256 + " but "
                        + expectedSha256 + " was expected");
            }
            return new TaskVectorFile(path, SafetensorsReader.read(bytes).tensors(), sha256);
        } catch (SafetensorsFormatException e) {
            throw new IllegalArgumentException("fine-tuned weights " + path + " are not a valid safetensors file: "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read fine-tuned weights " + path + ": " + e.getMessage(), e);
        }
    }

    /** @return The file's SHA-256. */
    String sha256() {
        return sha256;
    }

    /**
     * The task vector of one parameter of a target: the fine-tuned value minus the base value.
     * @param target The layer.
     * @param name {@code weight} or {@code bias}.
     * @param base The base values.
     * @return {@code theta_t - theta_0}, row-major.
     * @throws IllegalArgumentException if the file lacks the parameter or holds another shape.
     */
    float[] taskVector(TargetLayer target, String name, float[] base) {
        String key = target.path() + "." + name;
        TensorData fineTuned = tensors.get(key);
        long[] shape = (name.equals("weight") ? target.weight() : target.bias()).shape().getShape();
        if (fineTuned == null) {
            throw new IllegalArgumentException("fine-tuned weights " + path + " have no tensor '" + key + "'; was it fine-tuned "
                    + "from this base network?");
        }
        if (!Arrays.equals(shape, fineTuned.shape())) {
            throw new IllegalArgumentException("fine-tuned weights " + path + ": tensor '" + key + "' has shape "
                    + Arrays.toString(fineTuned.shape()) + " but the base network's is " + Arrays.toString(shape));
        }
        float[] values = fineTuned.toFloatArray();
        for (int i = 0; i < values.length; i++) {
            values[i] -= base[i];
        }
        return values;
    }
}
