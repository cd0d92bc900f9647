package org.tribuoadapt.tta.method;

import org.junit.jupiter.api.Test;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.Hinge;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.layers.Linear;
import org.tribuoadapt.tta.method.batchnorm.AlphaBatchNorm;
import org.tribuoadapt.tta.method.batchnorm.BatchNormAdapt;
import org.tribuoadapt.tta.method.labelshift.LabelShiftEM;
import org.tribuoadapt.tta.method.lame.Lame;
import org.tribuoadapt.tta.method.source.SourceOnly;
import org.tribuoadapt.tta.method.t3a.T3A;
import org.tribuoadapt.tta.method.tent.Tent;
import org.tribuoadapt.tta.testing.TtaFixtures;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Source, alpha-BN, LAME, T3A and label-shift EM: methods that change outputs or statistics, not weights.
 */
public class OutputMethodsTest {

    private static final AdaptationContext CONTEXT = new AdaptationContext(16, 1000, null);

    private static float[] predict(TestTimeMethod method, Model<Label> model, float[] x, int n) {
        try (AdaptationSession session = method.start(model, CONTEXT)) {
            return session.predict(x, n);
        }
    }

    @Test
    public void alphaBatchNormWithAlphaZeroIsTheSourceModel() {
        NetworkModel model = TtaFixtures.cnn();
        float[] x = TtaFixtures.shiftedInputs(16, "gaussian_noise", 5);
        float[] source = predict(new SourceOnly(), model, x, 16);
        assertArrayEquals(source, predict(new AlphaBatchNorm(0.0), model, x, 16));
        float[] one = java.util.Arrays.copyOf(x, 64);
        assertArrayEquals(predict(new SourceOnly(), model, one, 1), predict(new AlphaBatchNorm(0.0), model, one, 1),
                "batch size 1 too");
        // alpha = 1 is BN-adapt
        assertArrayEquals(predict(new BatchNormAdapt(), model, x, 16), predict(new AlphaBatchNorm(1.0), model, x, 16),
                1e-5f);
        // and the source agrees with the model's own Tribuo predictions
        float[] first = java.util.Arrays.copyOf(source, TtaFixtures.CLASSES);
        assertEquals(1.0, first[0] + first[1] + first[2], 1e-5);
    }

    @Test
    public void alphaBatchNormDoesNotCollapseAtBatchSizeOne() {
        NetworkModel model = TtaFixtures.cnn();
        int n = 30;
        float[] x = TtaFixtures.shiftedInputs(n, "fog", 2);
        int width = TtaFixtures.SIZE * TtaFixtures.SIZE;
        int agree = 0;
        try (AdaptationSession alpha = new AlphaBatchNorm(0.1).start(model, CONTEXT);
             AdaptationSession source = new SourceOnly().start(model, CONTEXT)) {
            for (int i = 0; i < n; i++) {
                float[] one = java.util.Arrays.copyOfRange(x, i * width, (i + 1) * width);
                agree += argMax(alpha.predict(one, 1)) == argMax(source.predict(one, 1)) ? 1 : 0;
            }
        }
        assertTrue(agree >= 27, "alpha-BN agreed with Source on only " + agree + " of " + n);
    }

    private static int argMax(float[] p) {
        int best = 0;
        for (int c = 1; c < p.length; c++) {
            best = p[c] > p[best] ? c : best;
        }
        return best;
    }

    @Test
    public void t3aPredictsByCosineToPrototypesSeededByTheClassifier() {
        NetworkModel model = TtaFixtures.cnn();
        float[] x = java.util.Arrays.copyOf(TtaFixtures.shiftedInputs(16, "fog", 3), 64);
        float[] got = predict(new T3A(100, "head", false), model, x, 1);
        // by hand: prototypes are the normalised head rows, plus the example itself for its predicted class
        float[] z;
        float[] p;
        try (NetworkOutputs outputs = new NetworkOutputs(model.newNetwork(), "head")) {
            ModelOutputs.Outputs out = outputs.run(x, 1, true);
            z = out.features();
            p = out.probabilities();
        }
        int width = z.length;
        float[] w;
        float[] b;
        try (Network network = model.newNetwork()) {
            Linear head = (Linear) network.layer("head");
            w = head.parameter("weight").toFloatArray();
            b = head.parameter("bias").toFloatArray();
        }
        int classes = TtaFixtures.CLASSES;
        double[][] proto = new double[classes][width];
        for (int r = 0; r < classes; r++) {
            double[] logits = new double[classes];
            for (int c = 0; c < classes; c++) {
                logits[c] = b[c];
                for (int d = 0; d < width; d++) {
                    logits[c] += w[c * width + d] * w[r * width + d];
                }
            }
            addNormalised(proto[argMax(logits)], w, r * width, width);
        }
        addNormalised(proto[argMax(toDouble(p))], z, 0, width);
        double[] expected = new double[classes];
        for (int c = 0; c < classes; c++) {
            double norm = Math.sqrt(java.util.Arrays.stream(proto[c]).map(v -> v * v).sum());
            for (int d = 0; d < width; d++) {
                expected[c] += z[d] * proto[c][d] / Math.max(norm, 1e-12);
            }
        }
        double max = java.util.Arrays.stream(expected).max().orElse(0);
        double sum = java.util.Arrays.stream(expected).map(v -> Math.exp(v - max)).sum();
        for (int c = 0; c < classes; c++) {
            assertEquals(Math.exp(expected[c] - max) / sum, got[c], 1e-5);
        }
    }

    private static double[] toDouble(float[] f) {
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    private static int argMax(double[] v) {
        int best = 0;
        for (int c = 1; c < v.length; c++) {
            best = v[c] > v[best] ? c : best;
        }
        return best;
    }

    private static void addNormalised(double[] target, float[] v, int offset, int width) {
        double norm = 0;
        for (int d = 0; d < width; d++) {
            norm += v[offset + d] * (double) v[offset + d];
        }
        norm = Math.sqrt(norm);
        for (int d = 0; d < width; d++) {
            target[d] += v[offset + d] / norm;
        }
    }

    @Test
    public void t3aResetForgetsTestSupports() {
        NetworkModel model = TtaFixtures.cnn();
        float[] x = TtaFixtures.shiftedInputs(16, "fog", 5);
        try (AdaptationSession fresh = new T3A(2, "head", false).start(model, CONTEXT);
             AdaptationSession used = new T3A(2, "head", false).start(model, CONTEXT)) {
            used.predict(x, 16);
            used.reset();
            assertArrayEquals(fresh.predict(x, 16), used.predict(x, 16));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new T3A(100, "flatten", false).start(model, CONTEXT));
        assertTrue(e.getMessage().contains("needs the classifier layer 'flatten' to be a Linear layer"), e.getMessage());
    }

    @Test
    public void outputMethodsWorkOnAnyProbabilisticTribuoModel() {
        MutableDataset<Label> train = TtaFixtures.train();
        Model<Label> linear = new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(0.1), 3, 1L).train(train);
        float[] x = TtaFixtures.shiftedInputs(16, "fog", 2);
        float[] source = predict(new SourceOnly(), linear, x, 16);
        float[] lame = predict(Lame.withDefaults(), linear, x, 16);
        float[] em = predict(new LabelShiftEM(16, 100, 1e-6), linear, x, 16);
        assertEquals(source.length, lame.length);
        assertEquals(source.length, em.length);
        // a model without probabilities is refused by the methods that need them
        Model<Label> hinge = new LinearSGDTrainer(new Hinge(), new AdaGrad(0.1), 1, 1L).train(train);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Lame.withDefaults().start(hinge, CONTEXT));
        assertTrue(e.getMessage().startsWith("LAME needs a model that outputs probabilities, but the LinearSGDModel"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LabelShiftEM(8, 10, 1e-6).start(hinge, CONTEXT));
        assertTrue(e.getMessage().contains("needs a model that outputs probabilities"), e.getMessage());
        // and network methods refuse other models
        e = assertThrows(IllegalArgumentException.class, () -> Tent.withDefaults().start(linear, CONTEXT));
        assertTrue(e.getMessage().startsWith("Tent needs a model that holds a network")
                && e.getMessage().endsWith("is a LinearSGDModel"), e.getMessage());
        predict(new SourceOnly(), hinge, x, 16);
    }
}
