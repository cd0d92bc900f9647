package org.tribuoadapt.robust.translation;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import org.tribuo.Example;
import org.tribuo.Excuse;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.impl.ModelDataCarrier;
import org.tribuo.protos.core.ModelProto;
import org.tribuo.provenance.ModelProvenance;
import org.tribuoadapt.core.model.LabelPredictions;
import org.tribuoadapt.core.model.ModelProtos;
import org.tribuoadapt.robust.attack.ProbabilityQueries;
import org.tribuoadapt.robust.protos.CropSelectionModelProto;
import org.tribuoadapt.robust.smoothing.SerializedBases;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Robust inference by crop selection (Shifman and Weiss, "Lost in Translation: Modern Neural Networks Still Struggle
 * With Small Realistic Image Transformations", ECCV 2024) around any Tribuo classifier with probabilities: each image
 * is cut into the {@code (2 margin + 1)^2} crops of size {@code (height - 2 margin) x (width - 2 margin)}, one crop is
 * selected by the {@link CropCriterion}, and the base classifier predicts that crop re-embedded at the centre of an
 * image of the original size (zeros in the margin). With {@link CropCriterion#CONSISTENCY} the choice depends on the
 * image content only and moves with it, so an image and its translation by a pixel get the same prediction whenever
 * the chosen crop lies inside the candidate range of both; a larger margin makes that likelier and costs more of the
 * image. The model's predictions refer to the original examples.
 */
public final class CropSelectionModel extends Model<Label> {
    private static final long serialVersionUID = 1L;

    /** The protobuf serialization version. */
    public static final int CURRENT_VERSION = 0;

    /** Images classified together. */
    private static final int BATCH_SIZE = 256;

    private final Model<Label> base;
    private final int margin;
    private final CropCriterion criterion;
    private final int channels;
    private final int height;
    private final int width;

    /**
     * Creates the model; {@link CropSelectionTrainer} calls this.
     * @param name The model name.
     * @param provenance The provenance, naming the base model.
     * @param base The base classifier; it must predict probabilities and read {@code channels * height * width} features.
     * @param margin The crop margin.
     * @param criterion How the crop is chosen.
     * @param channels The image channels.
     * @param height The image height.
     * @param width The image width.
     * @throws IllegalArgumentException if the base gives no probabilities, its features are not such images, or the
     * margin leaves no crop.
     */
    CropSelectionModel(String name, ModelProvenance provenance, Model<Label> base, int margin, CropCriterion criterion,
                       int channels, int height, int width) {
        super(name, provenance, base.getFeatureIDMap(), base.getOutputIDInfo(), true);
        check(base, margin, channels, height, width);
        this.base = base;
        this.margin = margin;
        this.criterion = criterion;
        this.channels = channels;
        this.height = height;
        this.width = width;
    }

    /**
     * Checks that a base classifier and crop settings fit together.
     * @param base The base classifier.
     * @param margin The crop margin.
     * @param channels The image channels.
     * @param height The image height.
     * @param width The image width.
     * @throws IllegalArgumentException naming what does not fit.
     */
    static void check(Model<Label> base, int margin, int channels, int height, int width) {
        new CropWindows(channels, height, width, margin);
        queries(base, channels, height, width);
    }

    private static ProbabilityQueries queries(Model<Label> base, int channels, int height, int width) {
        return new ProbabilityQueries(base, "crop selection", channels, height, width);
    }

    /**
     * The base classifier.
     * @return The model.
     */
    public Model<Label> baseModel() {
        return base;
    }

    /**
     * The crop margin.
     * @return The margin in pixels.
     */
    public int margin() {
        return margin;
    }

    /**
     * How the crop is chosen.
     * @return The criterion.
     */
    public CropCriterion criterion() {
        return criterion;
    }

    @Override
    public Prediction<Label> predict(Example<Label> example) {
        return innerPredict(Collections.singletonList(example)).get(0);
    }

    @Override
    protected List<Prediction<Label>> innerPredict(Iterable<Example<Label>> examples) {
        List<Example<Label>> all = new ArrayList<>();
        examples.forEach(all::add);
        ProbabilityQueries queries = queries(base, channels, height, width);
        CropWindows windows = new CropWindows(channels, height, width, margin);
        List<Prediction<Label>> out = new ArrayList<>(all.size());
        for (int from = 0; from < all.size(); from += BATCH_SIZE) {
            List<Example<Label>> batch = all.subList(from, Math.min(all.size(), from + BATCH_SIZE));
            float[] images = queries.tensorizer().toArray(batch);
            float[] probabilities = criterion == CropCriterion.CONSISTENCY
                    ? byContent(batch, images, windows, queries) : byConfidence(batch, images, windows, queries);
            out.addAll(LabelPredictions.fromProbabilities(probabilities, batch, outputIDInfo, featureIDMap));
        }
        return out;
    }

    private float[] byContent(List<Example<Label>> batch, float[] images, CropWindows windows, ProbabilityQueries queries) {
        int size = windows.imageSize();
        float[] crops = new float[batch.size() * size];
        List<Label> outputs = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            windows.writeCentred(images, i * size, windows.mostIntense(images, i * size), crops, i * size);
            outputs.add(batch.get(i).getOutput());
        }
        return toFloats(queries.probabilities(crops, outputs));
    }

    private float[] byConfidence(List<Example<Label>> batch, float[] images, CropWindows windows,
                                 ProbabilityQueries queries) {
        int size = windows.imageSize();
        int classes = outputIDInfo.size();
        float[] crops = new float[windows.count() * size];
        float[] out = new float[batch.size() * classes];
        for (int i = 0; i < batch.size(); i++) {
            for (int candidate = 0; candidate < windows.count(); candidate++) {
                windows.writeCentred(images, i * size, candidate, crops, candidate * size);
            }
            float[] rows = toFloats(queries.probabilities(crops,
                    Collections.nCopies(windows.count(), batch.get(i).getOutput())));
            int chosen = windows.mostConfident(rows, classes);
            System.arraycopy(rows, chosen * classes, out, i * classes, classes);
        }
        return out;
    }

    private static float[] toFloats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    @Override
    public Map<String, List<com.oracle.labs.mlrg.olcut.util.Pair<String, Double>>> getTopFeatures(int n) {
        return Collections.emptyMap();
    }

    @Override
    public Optional<Excuse<Label>> getExcuse(Example<Label> example) {
        return Optional.empty();
    }

    @Override
    protected CropSelectionModel copy(String newName, ModelProvenance newProvenance) {
        return new CropSelectionModel(newName, newProvenance, base, margin, criterion, channels, height, width);
    }

    @Override
    public ModelProto serialize() {
        ModelDataCarrier<Label> carrier = createDataCarrier();
        CropSelectionModelProto data = CropSelectionModelProto.newBuilder()
                .setMetadata(Any.pack(carrier.serialize()))
                .setBase(Any.pack(base.serialize()))
                .setMargin(margin)
                .setCriterion(criterion.name())
                .setChannels(channels)
                .setHeight(height)
                .setWidth(width)
                .build();
        return ModelProtos.wrap(CropSelectionModel.class, CURRENT_VERSION, data);
    }

    /**
     * Deserialization factory, called by Tribuo's {@code Model.deserialize}.
     * @param version The serialized version.
     * @param className The class name.
     * @param message The serialized data.
     * @return The model.
     * @throws InvalidProtocolBufferException if the message is not a crop-selection model.
     */
    public static CropSelectionModel deserializeFromProto(int version, String className, Any message)
            throws InvalidProtocolBufferException {
        ModelProtos.checkVersion(version, CURRENT_VERSION);
        CropSelectionModelProto proto = message.unpack(CropSelectionModelProto.class);
        ModelDataCarrier<?> carrier = ModelProtos.metadata(proto.getMetadata());
        ImmutableOutputInfo<Label> labels = ModelProtos.labelInfo(carrier, "CropSelectionModel");
        Model<Label> base = SerializedBases.model(proto.getBase(), "base");
        if (!labels.getDomain().equals(base.getOutputIDInfo().getDomain())) {
            throw new IllegalStateException("the stored crop-selection model's labels differ from its base model's");
        }
        return new CropSelectionModel(carrier.name(), carrier.provenance(), base, proto.getMargin(),
                CropCriterion.valueOf(proto.getCriterion()), proto.getChannels(), proto.getHeight(), proto.getWidth());
    }

    @Override
    public String toString() {
        return "CropSelectionModel(name=" + name + ",margin=" + margin + ",criterion=" + criterion + ",image=" + channels
                + "x" + height + "x" + width + ",base=" + base.getName() + ")";
    }
}
