package org.tribuoadapt.examples.bench.robust;

import ai.djl.ndarray.types.Shape;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.impl.ArrayExample;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.robust.translation.CropCriterion;
import org.tribuoadapt.robust.translation.CropSelectionTrainer;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * {@code bench robust --mode crops}: a standard CNN on Fashion-MNIST with plain inference and with robust inference
 * by crop selection (Shifman and Weiss 2024, both criteria, margins 1 and 2) under small realistic image
 * transformations: the eight one-pixel camera moves (the content shifts, the black background enters at the edge)
 * and rescalings by 0.9 and 1.1 about the centre (bilinear). For each model it reports clean accuracy, accuracy under
 * the transformations, how often the prediction stays the same, and the fooling rate of the paper: the share of test
 * images whose prediction some one-pixel move changes.
 */
final class CropSelectionComparison {

    /** The crop margins tried: 26x26 crops at 9 offsets and 24x24 crops at 25 offsets. */
    private static final int[] MARGINS = {1, 2};

    private static final int SIDE = 28;
    private static final double[] SCALES = {0.9, 1.1};

    private CropSelectionComparison() {}

    /**
     * Runs the comparison and prints one JSON object per model, then the timings.
     * @param o The options (the CNN trains for {@code --epochs} with Adam at {@code --lr}).
     * @param out Where the JSON lines go.
     * @throws Exception if the data cannot be read.
     */
    static void run(RobustBenchmarkOptions o, PrintStream out) throws Exception {
        Dataset<Label> train = RobustBenchmark.load(o.data(), "train", o.trainExamples());
        Dataset<Label> test = RobustBenchmark.load(o.data(), "t10k", o.testExamples());
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("measurement", "setup");
        setup.put("mode", "crops");
        setup.put("trainExamples", train.size());
        setup.put("testExamples", test.size());
        setup.put("margins", MARGINS);
        setup.put("threads", DjlRuntime.intraOpThreads());
        setup.put("options", RobustBenchmark.describe(o));
        RobustBenchmark.emit(out, setup);
        CNNSpec spec = new CNNSpec(1, SIDE, SIDE, o.channels(), true, 2, new int[] {o.hidden()});
        long start = System.nanoTime();
        NetworkModel standard = new NetworkTrainer(spec, new AdamOptimiserFactory(o.learningRate()), o.epochs(),
                o.batchSize(), o.seed()).train(train);
        RobustBenchmark.emit(out, RobustBenchmark.timing("standard-training", start));

        List<Example<Label>> originals = new ArrayList<>();
        test.forEach(originals::add);
        ImmutableFeatureMap features = standard.getFeatureIDMap();
        float[] images = new FeatureTensorizer(features, new Shape(1, SIDE, SIDE)).toArray(originals);
        String[] names = new String[features.size()];
        for (int id = 0; id < names.length; id++) {
            names[id] = features.get(id).getName();
        }
        List<List<Example<Label>>> shifted = new ArrayList<>();
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                if (dy != 0 || dx != 0) {
                    int y = dy;
                    int x = dx;
                    shifted.add(transformed(originals, images, names, image -> shift(image, y, x)));
                }
            }
        }
        List<List<Example<Label>>> rescaled = new ArrayList<>();
        for (double scale : SCALES) {
            rescaled.add(transformed(originals, images, names, image -> rescale(image, scale)));
        }

        Map<String, Model<Label>> models = new LinkedHashMap<>();
        models.put("plain", standard);
        for (int margin : MARGINS) {
            for (CropCriterion criterion : CropCriterion.values()) {
                models.put("crop-" + criterion.name().toLowerCase(java.util.Locale.ROOT) + "-margin-" + margin,
                        new CropSelectionTrainer(standard, margin, criterion, 1, SIDE, SIDE).train(test));
            }
        }
        for (Map.Entry<String, Model<Label>> e : models.entrySet()) {
            start = System.nanoTime();
            String[] clean = labels(e.getValue().predict(originals));
            double shiftAccuracy = 0;
            double shiftAgreement = 0;
            boolean[] fooled = new boolean[clean.length];
            for (List<Example<Label>> moved : shifted) {
                String[] predicted = labels(e.getValue().predict(moved));
                shiftAccuracy += accuracy(predicted, originals) / shifted.size();
                shiftAgreement += agreement(predicted, clean, fooled) / shifted.size();
            }
            double rescaleAccuracy = 0;
            double rescaleAgreement = 0;
            for (List<Example<Label>> scaled : rescaled) {
                String[] predicted = labels(e.getValue().predict(scaled));
                rescaleAccuracy += accuracy(predicted, originals) / rescaled.size();
                rescaleAgreement += agreement(predicted, clean, new boolean[clean.length]) / rescaled.size();
            }
            int fooledCount = 0;
            for (boolean f : fooled) {
                fooledCount += f ? 1 : 0;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("measurement", "crops");
            row.put("model", e.getKey());
            row.put("cleanAccuracy", accuracy(clean, originals));
            row.put("onePixelShiftAccuracy", shiftAccuracy);
            row.put("onePixelShiftAgreement", shiftAgreement);
            row.put("onePixelFoolingRate", (double) fooledCount / clean.length);
            row.put("rescaleAccuracy", rescaleAccuracy);
            row.put("rescaleAgreement", rescaleAgreement);
            row.put("seconds", (System.nanoTime() - start) / 1e9);
            RobustBenchmark.emit(out, row);
        }
    }

    private static List<Example<Label>> transformed(List<Example<Label>> originals, float[] images, String[] names,
                                                    UnaryOperator<float[]> transform) {
        int size = SIDE * SIDE;
        List<Example<Label>> out = new ArrayList<>(originals.size());
        for (int i = 0; i < originals.size(); i++) {
            float[] image = new float[size];
            System.arraycopy(images, i * size, image, 0, size);
            float[] moved = transform.apply(image);
            double[] values = new double[size];
            for (int p = 0; p < size; p++) {
                values[p] = moved[p];
            }
            out.add(new ArrayExample<>(originals.get(i).getOutput(), names, values));
        }
        return out;
    }

    /** The camera moved: the content shifts by (dy, dx) and the black background enters at the edge. */
    private static float[] shift(float[] image, int dy, int dx) {
        float[] out = new float[image.length];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                int sy = y - dy;
                int sx = x - dx;
                if (sy >= 0 && sy < SIDE && sx >= 0 && sx < SIDE) {
                    out[y * SIDE + x] = image[sy * SIDE + sx];
                }
            }
        }
        return out;
    }

    /** A zoom by {@code scale} about the image centre, bilinear, black outside the source. */
    private static float[] rescale(float[] image, double scale) {
        float[] out = new float[image.length];
        double centre = (SIDE - 1) / 2.0;
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                double sy = (y - centre) / scale + centre;
                double sx = (x - centre) / scale + centre;
                int y0 = (int) Math.floor(sy);
                int x0 = (int) Math.floor(sx);
                double fy = sy - y0;
                double fx = sx - x0;
                out[y * SIDE + x] = (float) ((1 - fy) * ((1 - fx) * pixel(image, y0, x0) + fx * pixel(image, y0, x0 + 1))
                        + fy * ((1 - fx) * pixel(image, y0 + 1, x0) + fx * pixel(image, y0 + 1, x0 + 1)));
            }
        }
        return out;
    }

    private static float pixel(float[] image, int y, int x) {
        return y >= 0 && y < SIDE && x >= 0 && x < SIDE ? image[y * SIDE + x] : 0f;
    }

    private static String[] labels(List<Prediction<Label>> predictions) {
        String[] out = new String[predictions.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = predictions.get(i).getOutput().getLabel();
        }
        return out;
    }

    private static double accuracy(String[] predicted, List<Example<Label>> examples) {
        int right = 0;
        for (int i = 0; i < predicted.length; i++) {
            right += predicted[i].equals(examples.get(i).getOutput().getLabel()) ? 1 : 0;
        }
        return (double) right / predicted.length;
    }

    /** The share of predictions equal to the originals'; marks the examples whose prediction changed. */
    private static double agreement(String[] predicted, String[] original, boolean[] changed) {
        int same = 0;
        for (int i = 0; i < predicted.length; i++) {
            if (predicted[i].equals(original[i])) {
                same++;
            } else {
                changed[i] = true;
            }
        }
        return (double) same / predicted.length;
    }
}
