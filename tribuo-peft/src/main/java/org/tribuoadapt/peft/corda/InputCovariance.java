package org.tribuoadapt.peft.corda;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.safetensors.SafetensorsFormatException;
import org.tribuoadapt.core.safetensors.SafetensorsReader;
import org.tribuoadapt.core.safetensors.SafetensorsWriter;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.peft.TargetLayer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CorDA's preprocessing step (Yang et al. 2024, section 3.1; PEFT's {@code preprocess_corda}): the covariance
 * {@code C = (1/T) sum_t X_t^T X_t} of the inputs {@code X_t} of targeted Linear layers over {@code T} batches of task
 * data, with each batch's inputs divided by their largest absolute value first (PEFT divides by the absolute value of
 * their maximum, which is zero or flips nothing only for non-negative inputs; the scale only weighs batches against
 * each other), and the covariance file that carries it to {@code LoraSpec}'s {@code covarianceFile}: a safetensors
 * file with one float64 {@code [in, in]} tensor per layer path. PEFT's own {@code covariance_file} is a
 * {@code torch.save} pickle of the same mapping.
 */
public final class InputCovariance {

    private InputCovariance() {}

    /**
     * Runs the base network in inference mode on the first {@code maxBatches} batches of the data and collects the
     * input covariance of each layer.
     * @param network The base network, before CorDA adapters are added (they change the targeted weights).
     * @param layers The paths of the Linear layers to collect at.
     * @param data The task data (a Tribuo dataset converted with {@code TensorDataset.from}).
     * @param batchSize The batch size.
     * @param maxBatches How many batches at most.
     * @return Each layer's covariance, row-major {@code in x in}, in the order of {@code layers}.
     * @throws IllegalArgumentException if a layer is unknown or not Linear, the data are empty, the sizes are not
     * positive, or an input is not finite.
     */
    public static Map<String, double[]> collect(Network network, List<String> layers, TensorDataset data, int batchSize,
                                                int maxBatches) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("no layers to collect the input covariance of");
        }
        if (data.size() == 0) {
            throw new IllegalArgumentException("cannot collect the input covariance on an empty dataset");
        }
        if (batchSize < 1 || maxBatches < 1) {
            throw new IllegalArgumentException("batchSize and maxBatches must be positive, found " + batchSize + " and "
                    + maxBatches);
        }
        Map<String, double[]> sums = new LinkedHashMap<>();
        Map<String, Integer> widths = new LinkedHashMap<>();
        for (String path : layers) {
            TargetLayer target = TargetLayer.of(path, network.layers());
            if (target.kind() != TargetLayer.Kind.LINEAR) {
                throw new IllegalArgumentException("CorDA adapts Linear layers only, as PEFT does; '" + path + "' is "
                        + target.kind());
            }
            widths.put(path, target.inFeatures());
            sums.put(path, new double[target.inFeatures() * target.inFeatures()]);
        }
        int batches = Math.min(maxBatches, (data.size() + batchSize - 1) / batchSize);
        for (int b = 0; b < batches; b++) {
            int start = b * batchSize;
            int[] indices = new int[Math.min(batchSize, data.size() - start)];
            for (int i = 0; i < indices.length; i++) {
                indices[i] = start + i;
            }
            try (NDManager batch = network.manager().newSubManager(); NDScope ignored = new NDScope();
                 GradientMode noGrad = GradientMode.disabled()) {
                ForwardContext context = ForwardContext.inference(batch).withObserver((layer, input, output) -> {
                    double[] sum = sums.get(layer.path());
                    if (sum != null) {
                        accumulate(layer.path(), input.toFloatArray(), widths.get(layer.path()), sum);
                    }
                });
                network.forward(data.features(batch, indices), context);
            }
        }
        for (double[] sum : sums.values()) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] /= batches;
            }
        }
        return Collections.unmodifiableMap(sums);
    }

    /** Adds {@code X^T X} of one batch's inputs, scaled by their largest absolute value. */
    private static void accumulate(String path, float[] inputs, int width, double[] sum) {
        double largest = 0;
        for (float v : inputs) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("layer '" + path + "' received a non-finite input " + v);
            }
            largest = Math.max(largest, Math.abs(v));
        }
        if (largest == 0) {
            return;
        }
        int rows = inputs.length / width;
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < width; i++) {
                double xi = inputs[r * width + i] / largest;
                if (xi != 0) {
                    for (int j = 0; j < width; j++) {
                        sum[i * width + j] += xi * (inputs[r * width + j] / largest);
                    }
                }
            }
        }
    }

    /**
     * Writes covariances to a safetensors file.
     * @param file The file.
     * @param covariances Square row-major matrices by layer path.
     * @throws IllegalArgumentException if a matrix is not square.
     * @throws UncheckedIOException if the file cannot be written.
     */
    public static void write(Path file, Map<String, double[]> covariances) {
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : covariances.entrySet()) {
            long n = Math.round(Math.sqrt(e.getValue().length));
            if (n * n != e.getValue().length) {
                throw new IllegalArgumentException("the covariance of '" + e.getKey() + "' has " + e.getValue().length
                        + " values, which is not a square matrix");
            }
            tensors.put(e.getKey(), TensorData.ofDoubles(new long[] {n, n}, e.getValue()));
        }
        try {
            SafetensorsWriter.write(file, tensors, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the covariance file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a covariance file.
     * @param file The file.
     * @return Square row-major matrices by layer path.
     * @throws IllegalArgumentException if it is not a safetensors file or holds a tensor that is not a square matrix.
     * @throws UncheckedIOException if it cannot be read.
     */
    public static Map<String, double[]> read(Path file) {
        Map<String, TensorData> tensors;
        try {
            tensors = SafetensorsReader.read(file).tensors();
        } catch (SafetensorsFormatException e) {
            throw new IllegalArgumentException("covariance file " + file + " is not a valid safetensors file: "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the covariance file " + file + ": " + e.getMessage(), e);
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            long[] shape = e.getValue().shape();
            if (shape.length != 2 || shape[0] != shape[1]) {
                throw new IllegalArgumentException("covariance file " + file + ": tensor '" + e.getKey()
                        + "' must be a square matrix, found shape " + java.util.Arrays.toString(shape));
            }
            out.put(e.getKey(), e.getValue().toDoubleArray());
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * The covariance of one layer.
     * @param covariances The covariances by layer path.
     * @param target The layer.
     * @param source Where they came from, for the message.
     * @return The covariance.
     * @throws IllegalArgumentException if it is missing.
     */
    public static double[] of(Map<String, double[]> covariances, TargetLayer target, String source) {
        double[] covariance = covariances.get(target.path());
        if (covariance == null) {
            throw new IllegalArgumentException(source + " has no input covariance for layer '" + target.path()
                    + "'; it has " + covariances.keySet());
        }
        return covariance;
    }
}
