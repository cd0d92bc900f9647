package org.tribuoadapt.tta.method;

import org.junit.jupiter.api.Test;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.spec.TransformerSpec;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.NetworkOptimiser;
import org.tribuoadapt.core.train.OptimiserFactory;
import org.tribuoadapt.core.train.SGDOptimiserFactory;
import org.tribuoadapt.core.train.TrainingPlan;
import org.tribuoadapt.tta.method.batchnorm.AlphaBatchNorm;
import org.tribuoadapt.tta.method.batchnorm.BatchNormAdapt;
import org.tribuoadapt.tta.method.batchnorm.Core;
import org.tribuoadapt.tta.method.cafa.Cafa;
import org.tribuoadapt.tta.method.eata.Eata;
import org.tribuoadapt.tta.method.sar.Sar;
import org.tribuoadapt.tta.method.tent.Tent;
import org.tribuoadapt.tta.testing.TtaFixtures;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tent, EATA, SAR and CAFA: which parameters they change, resets, episodic mode and their requirements.
 */
public class NormAffineMethodsTest {

    private static final Set<String> AFFINE = Set.of("bn1.weight", "bn1.bias", "bn2.weight", "bn2.bias");

    private static AdaptationContext context(boolean withSource) {
        TensorDataset source = null;
        if (withSource) {
            NetworkModel model = TtaFixtures.cnn();
            source = TensorDataset.from(TtaFixtures.train(), new FeatureTensorizer(model.getFeatureIDMap(),
                    new ai.djl.ndarray.types.Shape(model.getFeatureIDMap().size())), model.getOutputIDInfo());
        }
        return new AdaptationContext(16, 1000, source);
    }

    private static Map<String, TensorData> weights(AdaptationSession session) {
        return ((NormAffineSession) session).network().stateDict();
    }

    /** The names of the tensors that differ between two state dicts. */
    private static List<String> changed(Map<String, TensorData> before, Map<String, TensorData> after) {
        List<String> out = new ArrayList<>();
        for (String name : before.keySet()) {
            TensorData a = before.get(name);
            TensorData b = after.get(name);
            boolean same = a.dtype() == b.dtype() && (a.dtype().name().startsWith("I")
                    ? java.util.Arrays.equals(a.toLongArray(), b.toLongArray())
                    : java.util.Arrays.equals(a.toFloatArray(), b.toFloatArray()));
            if (!same) {
                out.add(name);
            }
        }
        return out;
    }

    private static void assertSourceWeights(NetworkModel model, AdaptationSession session) {
        assertEquals(List.of(), changed(model.stateDict(), weights(session)), "weights differ from the source");
    }

    private static void updatesOnlyAffineParameters(TestTimeMethod method, AdaptationContext context) {
        NetworkModel model = TtaFixtures.cnn();
        float[] x = TtaFixtures.shiftedInputs(16, "fog", 5);
        try (AdaptationSession session = method.start(model, context)) {
            assertSourceWeights(model, session);
            session.predict(x, 16);
            session.predict(x, 16);
            List<String> changed = changed(model.stateDict(), weights(session));
            assertFalse(changed.isEmpty(), method.name() + " changed nothing");
            assertTrue(AFFINE.containsAll(changed), method.name() + " changed " + changed);
            // a reset restores the exact source weights, running statistics included
            session.reset();
            assertSourceWeights(model, session);
        }
    }

    @Test
    public void tentUpdatesOnlyNormAffineParameters() {
        updatesOnlyAffineParameters(Tent.withDefaults(), context(false));
    }

    @Test
    public void eataUpdatesOnlyNormAffineParameters() {
        // a wide entropy margin so that samples pass the reliability filter on this tiny problem
        Eata eata = new Eata(new AdamOptimiserFactory(1e-2), 5.0, 1.0, 1.0, 100, List.of(), false);
        updatesOnlyAffineParameters(eata, context(true));
    }

    @Test
    public void coreUpdatesOnlyNormAffineParameters() {
        updatesOnlyAffineParameters(Core.withDefaults(), context(false));
    }

    @Test
    public void cafaUpdatesOnlyNormAffineParameters() {
        updatesOnlyAffineParameters(Cafa.withDefaults(), context(true));
    }

    @Test
    public void sarUpdatesOnlyNormAffineParameters() {
        Sar sar = new Sar(new SGDOptimiserFactory(0.05, 0.9, false, 0), 0.05, 5.0, 0.0, List.of(), false);
        updatesOnlyAffineParameters(sar, context(false));
    }

    @Test
    public void sarLeavesTheTopBlocksNormLayersAloneAsTheReferenceDoes() {
        // a CNN's normalised stages bn1, bn2: the top quarter is bn2
        try (Network cnn = TtaFixtures.cnn().newNetwork()) {
            assertEquals(List.of("bn1"), Sar.withDefaults().normLayersOf(cnn));
            assertEquals(List.of(), Sar.withDefaults().adaptingEveryNormLayer().normLayersOf(cnn));
            assertEquals(List.of("bn2"), new Sar(new SGDOptimiserFactory(0.05, 0.9, false, 0), 0.05, 5.0, 0.0,
                    List.of("bn2"), false).normLayersOf(cnn));
        }
        // a transformer of 4 blocks: blocks 0-2 keep their norms; block 3 and the final norm are left alone
        TransformerSpec vit = TransformerSpec.forImages(1, TtaFixtures.SIZE, TtaFixtures.SIZE, 4, 8, 4, 2, 16);
        try (Network transformer = vit.build(TtaFixtures.CLASSES, 1L)) {
            List<String> adapted = Sar.withDefaults().normLayersOf(transformer);
            assertEquals(6, adapted.size(), adapted.toString());
            assertTrue(adapted.stream().allMatch(p -> p.matches("blocks\\.[012]\\..*")), adapted.toString());
        }
        // a session updates bn1's affine parameters only
        Sar sar = new Sar(new SGDOptimiserFactory(0.05, 0.9, false, 0), 0.05, 5.0, 0.0, List.of(), false);
        NetworkModel model = TtaFixtures.cnn();
        try (AdaptationSession session = sar.start(model, context(false))) {
            float[] x = TtaFixtures.shiftedInputs(16, "fog", 5);
            session.predict(x, 16);
            session.predict(x, 16);
            List<String> changed = changed(model.stateDict(), weights(session));
            assertFalse(changed.isEmpty(), "SAR changed nothing");
            assertTrue(Set.of("bn1.weight", "bn1.bias").containsAll(changed), "SAR changed " + changed);
        }
    }

    /** SGD with momentum that counts its steps. */
    private static final class CountingSgd implements OptimiserFactory {
        private static final long serialVersionUID = 1L;
        private final SGDOptimiserFactory sgd = new SGDOptimiserFactory(0.05, 0.9, false, 0);
        private final AtomicInteger steps = new AtomicInteger();

        @Override
        public NetworkOptimiser create(List<Parameter> parameters, TrainingPlan plan) {
            NetworkOptimiser inner = sgd.create(parameters, plan);
            return new NetworkOptimiser() {
                @Override
                public void step() {
                    steps.incrementAndGet();
                    inner.step();
                }

                @Override
                public double learningRate() {
                    return inner.learningRate();
                }

                @Override
                public void close() {
                    inner.close();
                }
            };
        }
    }

    @Test
    public void sarStepsItsOptimiserEvenWithoutAReliableSampleAsTheReferenceDoes() {
        NetworkModel model = TtaFixtures.cnn();
        CountingSgd optimiser = new CountingSgd();
        // a margin no entropy is below: no sample is ever reliable
        Sar sar = new Sar(optimiser, 0.05, 1e-9, 0.0, List.of(), false);
        try (AdaptationSession session = sar.start(model, context(false))) {
            session.predict(TtaFixtures.shiftedInputs(16, "fog", 5), 16);
            session.predict(TtaFixtures.shiftedInputs(16, "fog", 5), 16);
            assertEquals(2, optimiser.steps.get());
            // zero gradients and no momentum yet: the weights stay the source's
            assertSourceWeights(model, session);
        }
    }

    @Test
    public void episodicAdaptationStartsEveryBatchFromTheSource() {
        NetworkModel model = TtaFixtures.cnn();
        float[] x = TtaFixtures.shiftedInputs(16, "contrast", 5);
        Tent episodic = new Tent(new AdamOptimiserFactory(0.05), 1, List.of(), true);
        Tent online = new Tent(new AdamOptimiserFactory(0.05), 1, List.of(), false);
        try (AdaptationSession e = episodic.start(model, context(false));
             AdaptationSession o = online.start(model, context(false))) {
            float[] first = e.predict(x, 16);
            assertArrayEquals(first, o.predict(x, 16));
            // episodic: the second prediction of the same batch starts again from the source weights
            assertArrayEquals(first, e.predict(x, 16));
            assertFalse(java.util.Arrays.equals(first, o.predict(x, 16)), "online Tent did not adapt");
            // the reset before the next batch restores the exact source weights
            e.reset();
            assertSourceWeights(model, e);
        }
    }

    @Test
    public void sarRecoversWhenTheLossAverageFallsBelowTheThreshold() {
        NetworkModel model = TtaFixtures.cnn();
        float[] x = TtaFixtures.shiftedInputs(16, "fog", 2);
        // every loss is below a threshold of 100, so each update is followed by a recovery
        Sar always = new Sar(new SGDOptimiserFactory(0.05, 0.9, false, 0), 0.05, 5.0, 100.0, List.of(), false);
        try (Sar.Session session = always.start(model, context(false))) {
            session.predict(x, 16);
            assertEquals(1, session.recoveries());
            assertTrue(Double.isNaN(session.lossAverage()));
            assertSourceWeights(model, session);
        }
        // with a threshold of 0 it never recovers, and the average follows e = 0.9 e + 0.1 L
        Sar never = new Sar(new SGDOptimiserFactory(0.05, 0.9, false, 0), 0.05, 5.0, 0.0, List.of(), false);
        try (Sar.Session session = never.start(model, context(false))) {
            session.predict(x, 16);
            double first = session.lossAverage();
            assertTrue(first > 0);
            session.predict(x, 16);
            assertEquals(0, session.recoveries());
            assertTrue(session.lossAverage() != first);
        }
    }

    @Test
    public void eataCountsItsFilteredSamples() {
        NetworkModel model = TtaFixtures.cnn();
        float[] x = TtaFixtures.shiftedInputs(16, "fog", 5);
        try (Eata.Session session = Eata.withDefaults().start(model, context(true))) {
            session.predict(x, 16);
            session.predict(x, 16);
            assertEquals(32, session.seen());
            assertTrue(session.reliable() <= 32 && session.kept() <= session.reliable());
        }
    }

    @Test
    public void methodsThatNeedNormLayersSayWhat() {
        NetworkModel mlp = TtaFixtures.mlp();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BatchNormAdapt().start(mlp, context(false)));
        assertTrue(e.getMessage().startsWith("BN-adapt needs a network with BatchNorm layers, but this network has none"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AlphaBatchNorm(0.1).start(mlp, context(false)));
        assertTrue(e.getMessage().startsWith("alpha-BN needs a network with BatchNorm layers"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tent.withDefaults().start(mlp, context(false)));
        assertTrue(e.getMessage().startsWith("Tent adapts the affine parameters of normalisation layers, but this "
                + "network has no BatchNorm or LayerNorm layer"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Sar.withDefaults().start(mlp, context(false)));
        assertTrue(e.getMessage().startsWith("SAR adapts"), e.getMessage());
        // EATA's Fisher regulariser needs source samples; ETA (fisherAlpha 0) does not
        e = assertThrows(IllegalArgumentException.class,
                () -> Eata.withDefaults().start(TtaFixtures.cnn(), context(false)));
        assertTrue(e.getMessage().contains("needs unlabelled source samples for its Fisher regulariser"), e.getMessage());
        new Eata(new AdamOptimiserFactory(1e-3), 0.4, 0.4, 0.0, 1, List.of(), false)
                .start(TtaFixtures.cnn(), context(false)).close();
        // named layers must be normalisation layers
        e = assertThrows(IllegalArgumentException.class, () -> new Tent(new AdamOptimiserFactory(1e-3), 1,
                List.of("conv1"), false).start(TtaFixtures.cnn(), context(false)));
        assertTrue(e.getMessage().contains("layer 'conv1' is a Conv2d"), e.getMessage());
        // and a named subset is all that changes
        try (AdaptationSession session = new Tent(new AdamOptimiserFactory(0.05), 1, List.of("bn2"), false)
                .start(TtaFixtures.cnn(), context(false))) {
            session.predict(TtaFixtures.shiftedInputs(16, "fog", 5), 16);
            List<String> changed = changed(TtaFixtures.cnn().stateDict(), weights(session));
            assertTrue(Set.of("bn2.weight", "bn2.bias").containsAll(changed) && !changed.isEmpty(), changed.toString());
        }
        assertTrue(Label.class != null);
    }
}
