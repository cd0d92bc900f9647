package org.tribuoadapt.peft.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.nn.spec.TransformerSpec;
import org.tribuoadapt.peft.AdapterContract;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.PeftTrainer;
import org.tribuoadapt.peft.bottleneck.BottleneckArchitecture;
import org.tribuoadapt.peft.bottleneck.BottleneckPlacement;
import org.tribuoadapt.peft.bottleneck.BottleneckSpec;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class PromptTuningSpecTest {

    /** Sequences of 4 tokens of width 3, model width 4, two blocks with 2 heads and a feed-forward width of 6. */
    private static final NetworkSpec TRANSFORMER = TransformerSpec.forSequences(12, 3, 4, 2, 2, 6);
    private static final int OUTPUTS = 3;
    private static final int WIDTH = 4;

    /**
     * The base network's layers run by hand on a batch: embedding, the prompts prepended (first in the list = nearest
     * the input), the blocks, the input's positions kept, then the final norm, the pooling and the head.
     */
    private static float[] composed(PeftNetwork peft, float[] x, int n, List<float[]> prompts) {
        Map<String, Layer> layers = peft.baseLayers();
        try (NDManager m = peft.network().manager().newSubManager(); GradientMode ignored = GradientMode.disabled()) {
            ForwardContext context = ForwardContext.inference(m);
            NDArray h = m.create(x, new Shape(n, 12));
            for (String name : List.of("tokens", "embed", "pos_embed")) {
                h = layers.get(name).apply(h, context);
            }
            int added = 0;
            for (float[] prompt : prompts) {
                int tokens = prompt.length / WIDTH;
                NDArray p = m.create(prompt, new Shape(1, tokens, WIDTH)).repeat(0, n);
                h = NDArrays.concat(new NDList(p, h), 1);
                added += tokens;
            }
            h = layers.get("blocks").apply(h, context).get(new NDIndex(":, {}:", added));
            for (String name : List.of("norm", "pool", "head")) {
                h = layers.get(name).apply(h, context);
            }
            return h.toFloatArray();
        }
    }

    private static float[] prompt(PeftNetwork peft, String adapter) {
        return peft.modules(adapter).get("blocks").peftTensors().get("prompt_embeddings").toFloatArray();
    }

    @Test
    public void blocksReadThePromptBeforeTheInputAndTheHeadReadsTheInputPositions() {
        float[] x = AdapterContract.input(TRANSFORMER, 5);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(TRANSFORMER, OUTPUTS))) {
            float[] base = AdapterContract.forward(peft.network(), x, 5);
            peft.addAdapter("a", new PromptTuningSpec(3), OUTPUTS, 7L);
            peft.addAdapter("b", new PromptTuningSpec(AdapterTargets.modules("blocks"), 2, 0.5), OUTPUTS, 8L);
            assertArrayEquals(base, AdapterContract.forward(peft.network(), x, 5), "inactive prompts leave the base");
            assertArrayEquals(base, composed(peft, x, 5, List.of()), "the hand-run base");
            peft.setActiveAdapters(List.of("a"));
            float[] adapted = AdapterContract.forward(peft.network(), x, 5);
            assertFalse(Arrays.equals(base, adapted), "the prompt changes the outputs through attention");
            AdapterContract.assertClose(composed(peft, x, 5, List.of(prompt(peft, "a"))), adapted, 1e-6, "one prompt");
            peft.setActiveAdapters(List.of("a", "b"));
            AdapterContract.assertClose(composed(peft, x, 5, List.of(prompt(peft, "a"), prompt(peft, "b"))),
                    AdapterContract.forward(peft.network(), x, 5), 1e-6, "two prompts, b before a");
            peft.setAdaptersEnabled(false);
            assertArrayEquals(base, AdapterContract.forward(peft.network(), x, 5), "disabled prompts leave the base");
        }
    }

    @Test
    public void parameterCountIsNd() {
        assertEquals(3 * WIDTH, AdapterContract.trainableCount(new PromptTuningSpec(3), TRANSFORMER, OUTPUTS));
    }

    @Test
    public void onlyThePromptTrainsAndItRoundTrips(@TempDir Path dir) throws Exception {
        AdapterContract.assertOnlyAdapterTrains(new PromptTuningSpec(3), TRANSFORMER, OUTPUTS);
        AdapterContract.assertSaveLoadRoundTrip(new PromptTuningSpec(3), TRANSFORMER, OUTPUTS, dir.resolve("prompt"));
        AdapterContract.assertSaveLoadRoundTrip(new PromptTuningSpec(AdapterTargets.modules("blocks").saving("head"), 2, 0.1),
                TRANSFORMER, OUTPUTS, dir.resolve("with-head"));
        Helpers.testConfigurableRoundtrip(new PromptTuningSpec(4));
        String provenance = new PromptTuningSpec(4).getProvenance().toString();
        assertTrue(provenance.contains("virtualTokens") && provenance.contains("initialStd"), provenance);
    }

    @Test
    public void exampleConfigurationFitsTheSequenceTransformer() {
        ConfigurationManager cm = new ConfigurationManager(Paths.get("..", "examples", "configs", "peft-prompt-tuning.xml")
                .toString());
        PromptTuningSpec spec = (PromptTuningSpec) cm.lookup("adapter");
        assertInstanceOf(PeftTrainer.class, cm.lookup("peft-trainer"));
        NetworkSpec network = (NetworkSpec) cm.lookup("network");
        try (PeftNetwork peft = PeftNetwork.wrap(network.build(5, 1L))) {
            peft.addAdapter("default", spec, 5, 1L);
            peft.setTrainable("default");
            // 8 tokens of width 64, and the head's copy 64 x 5 + 5
            assertEquals(8 * 64 + 64 * 5 + 5, peft.trainableSummary().trainable());
        }
    }

    @Test
    public void mergingIsRefused() {
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(TRANSFORMER, OUTPUTS))) {
            peft.addAdapter("a", new PromptTuningSpec(3), OUTPUTS, 7L);
            peft.setActiveAdapters(List.of("a"));
            IllegalStateException e = assertThrows(IllegalStateException.class, peft::merge);
            assertTrue(e.getMessage().contains("adapter 'a' cannot be merged") && e.getMessage().contains("prompt lengthens"),
                    e.getMessage());
            assertFalse(peft.isMerged());
            assertThrows(UnsupportedOperationException.class, () -> peft.modules("a").get("blocks").mergeIntoTarget());
        }
    }

    @Test
    public void rejectsBadSettings() {
        PropertyException tokens = assertThrows(PropertyException.class, () -> new PromptTuningSpec(0));
        assertTrue(tokens.getMessage().contains("virtualTokens must be a positive integer, found 0"), tokens.getMessage());
        for (double std : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY}) {
            PropertyException e = assertThrows(PropertyException.class,
                    () -> new PromptTuningSpec(AdapterTargets.modules("blocks"), 2, std));
            assertTrue(e.getMessage().contains("initialStd must be non-negative and finite"), e.getMessage());
        }
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(TRANSFORMER, OUTPUTS))) {
            IllegalArgumentException linear = assertThrows(IllegalArgumentException.class, () -> peft.addAdapter("a",
                    new PromptTuningSpec(AdapterTargets.modules("embed"), 2, 0.02), OUTPUTS, 1L));
            assertTrue(linear.getMessage().contains("SEQUENCE_PROMPT_TUNING cannot adapt a LINEAR layer"), linear.getMessage());
            IllegalArgumentException branch = assertThrows(IllegalArgumentException.class, () -> peft.addAdapter("a",
                    new PromptTuningSpec(AdapterTargets.modules("mlp"), 2, 0.02), OUTPUTS, 1L));
            assertTrue(branch.getMessage().contains("cannot adapt a RESIDUAL_BRANCH layer"), branch.getMessage());
            peft.addAdapter("bottleneck", new BottleneckSpec(BottleneckArchitecture.PFEIFFER, BottleneckPlacement.SEQUENTIAL,
                    2, 1.0), OUTPUTS, 1L);
            IllegalArgumentException nested = assertThrows(IllegalArgumentException.class,
                    () -> peft.addAdapter("a", new PromptTuningSpec(2), OUTPUTS, 1L));
            assertTrue(nested.getMessage().contains("adapters cannot be nested"), nested.getMessage());
        }
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(AdapterContract.MLP, AdapterContract.MLP_OUTPUTS))) {
            IllegalArgumentException mlp = assertThrows(IllegalArgumentException.class,
                    () -> peft.addAdapter("a", new PromptTuningSpec(2), AdapterContract.MLP_OUTPUTS, 1L));
            assertTrue(mlp.getMessage().contains("target module 'blocks' not found"), mlp.getMessage());
        }
    }
}
