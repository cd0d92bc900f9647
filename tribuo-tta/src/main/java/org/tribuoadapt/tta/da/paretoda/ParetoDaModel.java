package org.tribuoadapt.tta.da.paretoda;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import org.tribuoadapt.core.provenance.ConfiguredObjects;
import org.tribuoadapt.core.safetensors.SafetensorsFile;
import org.tribuoadapt.core.safetensors.SafetensorsFormatException;
import org.tribuoadapt.core.safetensors.SafetensorsReader;
import org.tribuoadapt.core.safetensors.SafetensorsWriter;
import org.tribuoadapt.core.safetensors.TensorData;

import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The classifier ParetoDA trains on the frozen source network's features (Lv et al. 2021, "Pareto Domain
 * Adaptation", NeurIPS): a ReLU bottleneck and a linear classifier, with the provenance of the trainer that made it
 * and the mean weight each objective received over training. Immutable; {@link #serialize()} writes it as
 * safetensors bytes (weights in double precision, provenance packed in the metadata) and {@link #deserialize}
 * reads them back.
 */
public final class ParetoDaModel {

    private static final String PROVENANCE_KEY = "provenance";
    private static final String[] NAMES = {"bottleneck.weight", "bottleneck.bias", "classifier.weight",
        "classifier.bias", "objective_weights"};

    private final int width;
    private final int hidden;
    private final int classes;
    private final double[] w1;
    private final double[] b1;
    private final double[] w2;
    private final double[] b2;
    private final double[] meanObjectiveWeights;
    private final ConfiguredObjectProvenance provenance;

    ParetoDaModel(int width, int hidden, int classes, double[] w1, double[] b1, double[] w2, double[] b2,
                  double[] meanObjectiveWeights, ConfiguredObjectProvenance provenance) {
        if (w1.length != hidden * width || b1.length != hidden || w2.length != classes * hidden
                || b2.length != classes) {
            throw new IllegalArgumentException("the weights do not fit " + width + " features, " + hidden
                    + " bottleneck units and " + classes + " classes");
        }
        this.width = width;
        this.hidden = hidden;
        this.classes = classes;
        this.w1 = w1.clone();
        this.b1 = b1.clone();
        this.w2 = w2.clone();
        this.b2 = b2.clone();
        this.meanObjectiveWeights = meanObjectiveWeights.clone();
        this.provenance = provenance;
    }

    /**
     * The number of features the model reads (the source network's feature width).
     * @return The width.
     */
    public int width() {
        return width;
    }

    /**
     * The number of classes.
     * @return The label count.
     */
    public int classes() {
        return classes;
    }

    /**
     * The mean over training of the weight each objective received on the shared layer (source classification,
     * domain alignment, target prediction), scaled so that equal weights are 1 each.
     * @return A copy of the three weights.
     */
    public double[] meanObjectiveWeights() {
        return meanObjectiveWeights.clone();
    }

    /**
     * The provenance of the trainer, with every setting.
     * @return The provenance.
     */
    public ConfiguredObjectProvenance provenance() {
        return provenance;
    }

    /**
     * The class probabilities of a batch of features.
     * @param features {@code n * width} features of the source network, in its feature order.
     * @param n The number of examples.
     * @return {@code n * classes} probabilities in label-id order.
     */
    public double[] probabilities(float[] features, int n) {
        ParetoDaTrainer.checkFeatures(features, n, width, "features");
        double[] logP = new DaObjectives(w1, b1, w2, b2, width, hidden, classes).forward(features, n)
                .logProbabilities();
        double[] out = new double[logP.length];
        for (int j = 0; j < out.length; j++) {
            out[j] = Math.exp(logP[j]);
        }
        return out;
    }

    /**
     * Writes the model as safetensors bytes.
     * @return The bytes.
     */
    public byte[] serialize() {
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        tensors.put(NAMES[0], TensorData.ofDoubles(new long[] {hidden, width}, w1));
        tensors.put(NAMES[1], TensorData.ofDoubles(new long[] {hidden}, b1));
        tensors.put(NAMES[2], TensorData.ofDoubles(new long[] {classes, hidden}, w2));
        tensors.put(NAMES[3], TensorData.ofDoubles(new long[] {classes}, b2));
        tensors.put(NAMES[4], TensorData.ofDoubles(new long[] {meanObjectiveWeights.length}, meanObjectiveWeights));
        String packed = Base64.getEncoder().encodeToString(ConfiguredObjects.pack(provenance).toByteArray());
        return SafetensorsWriter.toBytes(tensors, Map.of(PROVENANCE_KEY, packed));
    }

    /**
     * Reads a model written by {@link #serialize()}.
     * @param bytes The bytes.
     * @return The model.
     * @throws IllegalArgumentException if the bytes are not a ParetoDA model.
     */
    public static ParetoDaModel deserialize(byte[] bytes) {
        SafetensorsFile file;
        try {
            file = SafetensorsReader.read(bytes);
        } catch (SafetensorsFormatException e) {
            throw new IllegalArgumentException("not a ParetoDA model: " + e.getMessage(), e);
        }
        for (String name : NAMES) {
            if (!file.contains(name)) {
                throw new IllegalArgumentException("not a ParetoDA model: tensor '" + name + "' is missing");
            }
        }
        file.requireFinite("ParetoDA model");
        String packed = file.metadata().get(PROVENANCE_KEY);
        if (packed == null) {
            throw new IllegalArgumentException("not a ParetoDA model: the provenance is missing");
        }
        ObjectProvenance provenance;
        try {
            provenance = ConfiguredObjects.unpack(Any.parseFrom(Base64.getDecoder().decode(packed)));
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not a ParetoDA model: unreadable provenance", e);
        }
        if (!(provenance instanceof ConfiguredObjectProvenance configured)) {
            throw new IllegalArgumentException("not a ParetoDA model: the provenance is a "
                    + provenance.getClass().getName());
        }
        int[] shape = file.get(NAMES[0]).intShape();
        if (shape.length != 2) {
            throw new IllegalArgumentException("not a ParetoDA model: the bottleneck weight has rank " + shape.length);
        }
        int classes = file.get(NAMES[3]).intShape()[0];
        return new ParetoDaModel(shape[1], shape[0], classes, file.get(NAMES[0]).toDoubleArray(),
                file.get(NAMES[1]).toDoubleArray(), file.get(NAMES[2]).toDoubleArray(),
                file.get(NAMES[3]).toDoubleArray(), file.get(NAMES[4]).toDoubleArray(), configured);
    }

    /**
     * Whether two models have the same weights, objective weights and provenance.
     * @param o The other object.
     * @return True when equal.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof ParetoDaModel other && width == other.width && hidden == other.hidden
                && classes == other.classes && Arrays.equals(w1, other.w1) && Arrays.equals(b1, other.b1)
                && Arrays.equals(w2, other.w2) && Arrays.equals(b2, other.b2)
                && Arrays.equals(meanObjectiveWeights, other.meanObjectiveWeights)
                && provenance.equals(other.provenance);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(w1) + Arrays.hashCode(w2);
    }

    @Override
    public String toString() {
        return "ParetoDaModel(features=" + width + ",bottleneck=" + hidden + ",classes=" + classes
                + ",meanObjectiveWeights=" + Arrays.toString(meanObjectiveWeights) + ")";
    }
}
