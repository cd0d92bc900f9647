package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Network;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Top-k routing with capacity and the Switch load-balancing loss (as WideNet, Xue et al. 2022, uses them), on
 * hand-made router probabilities and a hand-set router.
 */
public class MixtureOfExpertsTest {

    private static final int DIM = 2;

    @Test
    public void topKPicksTheMostProbableExpertsInOrder() {
        float[] probabilities = {
                0.1f, 0.6f, 0.3f,
                0.5f, 0.2f, 0.3f,
                0.4f, 0.4f, 0.2f}; // a tie goes to the lower index
        ExpertRouting routing = ExpertRouting.route(probabilities, 3, 2, 10.0);
        assertArrayEquals(new int[] {1, 2, 0, 2, 0, 1},
                new int[] {routing.choice(0, 0), routing.choice(0, 1), routing.choice(1, 0), routing.choice(1, 1),
                        routing.choice(2, 0), routing.choice(2, 1)});
        assertArrayEquals(new int[] {1, 2}, routing.tokensOf(0));
        assertArrayEquals(new int[] {0, 2}, routing.tokensOf(1));
        assertArrayEquals(new int[] {0, 1}, routing.tokensOf(2));
    }

    @Test
    public void capacityDropsTheLaterTokensAndFirstChoicesComeFirst() {
        // five tokens, two experts: every token prefers expert 0 except token 3
        float[] probabilities = {
                0.9f, 0.1f,
                0.8f, 0.2f,
                0.7f, 0.3f,
                0.2f, 0.8f,
                0.6f, 0.4f};
        // top-1, factor 1: capacity ceil(5 * 1 / 2) = 3, so token 4 (the fourth to choose expert 0) is dropped
        ExpertRouting top1 = ExpertRouting.route(probabilities, 2, 1, 1.0);
        assertEquals(3, top1.capacity());
        assertArrayEquals(new int[] {0, 1, 2}, top1.tokensOf(0));
        assertArrayEquals(new int[] {3}, top1.tokensOf(1));
        assertFalse(top1.isKept(4, 0));
        // top-2, factor 0.5: capacity ceil(0.5 * 5 * 2 / 2) = 3; expert 1 takes token 3's first choice before the
        // second choices of tokens 0 and 1, and is then full
        ExpertRouting top2 = ExpertRouting.route(probabilities, 2, 2, 0.5);
        assertEquals(3, top2.capacity());
        assertArrayEquals(new int[] {0, 1, 2}, top2.tokensOf(0));
        assertArrayEquals(new int[] {0, 1, 3}, top2.tokensOf(1));
        assertTrue(top2.isKept(3, 0));
        assertFalse(top2.isKept(3, 1));
        assertFalse(top2.isKept(4, 0));
        assertFalse(top2.isKept(2, 1));
        // the choice fractions count every choice, dropped or not
        assertArrayEquals(new float[] {0.8f, 0.2f}, top1.choiceFractions(), 1e-6f);
        assertArrayEquals(new float[] {0.5f, 0.5f}, top2.choiceFractions(), 1e-6f);
    }

    @Test
    public void impossibleSettingsAreRefused() {
        try (NDManager manager = DjlRuntime.newManager()) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> new MixtureOfExperts(manager, 4, 8, 0, 1, 1.0))
                    .getMessage().contains("at least one expert"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> new MixtureOfExperts(manager, 4, 8, 2, 3, 1.0))
                    .getMessage().contains("topK"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> new MixtureOfExperts(manager, 4, 8, 2, 1, 0.0))
                    .getMessage().contains("capacity factor"));
        }
        assertThrows(IllegalArgumentException.class, () -> ExpertRouting.route(new float[] {Float.NaN, 1f}, 2, 1, 1.0));
    }

    /** A two-expert layer whose router sends tokens with a positive first coordinate to expert 0. */
    private static Network twoExperts(NDManager manager, int topK, double capacityFactor) {
        MixtureOfExperts moe = new MixtureOfExperts(manager, DIM, 3, 2, topK, capacityFactor);
        Network network = new Network(manager, new Sequential().add("moe", moe), new Shape(DIM));
        network.initialize(3L);
        network.parameters().get("moe.router.weight").assign(new float[] {1f, 0f, -1f, 0f});
        return network;
    }

    private static float[] expertOutput(Network network, int expert, float[] token) {
        try (NDManager batch = network.manager().newSubManager()) {
            return network.layer("moe.expert_" + expert).apply(batch.create(token, new Shape(1, DIM)),
                    ForwardContext.inference(batch)).toFloatArray();
        }
    }

    @Test
    public void outputIsTheGateWeightedSumOfTheKeptExperts() {
        float[][] tokens = {{1f, 0.5f}, {-2f, 1f}, {0.5f, -1f}};
        try (NDManager manager = DjlRuntime.newManager(); Network network = twoExperts(manager, 2, 1.0);
             NDManager batch = manager.newSubManager()) {
            float[] flat = {1f, 0.5f, -2f, 1f, 0.5f, -1f};
            float[] out = network.forward(batch.create(flat, new Shape(3, DIM)), ForwardContext.inference(batch)).toFloatArray();
            for (int s = 0; s < tokens.length; s++) {
                double p0 = 1 / (1 + Math.exp(-2 * tokens[s][0])); // softmax of (x0, -x0)
                float[] e0 = expertOutput(network, 0, tokens[s]);
                float[] e1 = expertOutput(network, 1, tokens[s]);
                for (int d = 0; d < DIM; d++) {
                    assertEquals(p0 * e0[d] + (1 - p0) * e1[d], out[s * DIM + d], 1e-5, "token " + s);
                }
            }
            // top-1, capacity ceil(0.5 * 3 / 2) = 1: token 0 goes to expert 0, token 1 to expert 1, token 2 is dropped
            Network top1 = twoExperts(manager, 1, 0.5);
            float[] dropped = top1.forward(batch.create(flat, new Shape(3, DIM)), ForwardContext.inference(batch)).toFloatArray();
            double p00 = 1 / (1 + Math.exp(-2));
            assertEquals(p00 * expertOutput(top1, 0, tokens[0])[0], dropped[0], 1e-5);
            assertEquals((1 - 1 / (1 + Math.exp(4))) * expertOutput(top1, 1, tokens[1])[1], dropped[3], 1e-5);
            assertArrayEquals(new float[] {0f, 0f}, new float[] {dropped[4], dropped[5]});
        }
    }

    @Test
    public void anExpertWithoutTokensGetsAZeroGradient() {
        try (NDManager manager = DjlRuntime.newManager(); Network network = twoExperts(manager, 1, 2.0);
             NDManager batch = manager.newSubManager(); NDScope ignored = new NDScope()) {
            NDArray tokens = batch.create(new float[] {1f, 0.5f, 2f, -1f}, new Shape(2, DIM));
            try (GradientMode on = GradientMode.enabled()) {
                GradientMode.backward(network.forward(tokens, ForwardContext.training(batch)).square().sum());
            }
            float[] unused = network.parameters().get("moe.expert_1.fc1.weight").array().getGradient().toFloatArray();
            assertArrayEquals(new float[unused.length], unused);
            float used = network.parameters().get("moe.expert_0.fc1.weight").array().getGradient().abs().sum().getFloat();
            assertTrue(used > 0);
        }
    }

    @Test
    public void loadBalancingLossIsOneWhenBalancedAndGrowsWithImbalance() {
        try (NDManager manager = DjlRuntime.newManager(); Network network = twoExperts(manager, 1, 1.0);
             NDManager batch = manager.newSubManager(); NDScope ignored = new NDScope()) {
            MixtureOfExperts moe = (MixtureOfExperts) network.layer("moe");
            ForwardContext context = ForwardContext.training(batch);
            // mirror-image tokens: f = (1/2, 1/2) and P = (1/2, 1/2)
            NDArray balanced = batch.create(new float[] {1f, 0f, -1f, 0f}, new Shape(2, DIM));
            assertEquals(1.0, moe.loadBalancingLoss(balanced, context).getFloat(), 1e-6);
            // both tokens to expert 0 with probabilities p and q: f = (1, 0), so the loss is 2 * (p + q) / 2
            NDArray skewed = batch.create(new float[] {1f, 0f, 0.5f, 0f}, new Shape(2, DIM));
            double p = 1 / (1 + Math.exp(-2));
            double q = 1 / (1 + Math.exp(-1));
            try (GradientMode on = GradientMode.enabled()) {
                NDArray loss = moe.loadBalancingLoss(skewed, context);
                assertEquals(p + q, loss.getFloat(), 1e-6);
                GradientMode.backward(loss);
            }
            float[] gradient = network.parameters().get("moe.router.weight").array().getGradient().toFloatArray();
            assertTrue(gradient[0] > 0, "the loss pushes the router away from the overloaded expert");
        }
    }
}
