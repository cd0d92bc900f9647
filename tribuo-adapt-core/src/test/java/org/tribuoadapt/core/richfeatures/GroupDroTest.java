package org.tribuoadapt.core.richfeatures;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

public class GroupDroTest {

    @Test
    public void exponentiatedGradientStepOnTheGroupWeights() {
        double e = Math.E;
        // q = (1/2, 1/2), L = (1, 2), eta = 1: q ~ (e/2, e^2/2) -> (1/(1+e), e/(1+e))
        assertArrayEquals(new double[] {1 / (1 + e), e / (1 + e)},
                GroupDro.nextWeights(new double[] {0.5, 0.5}, new double[] {1, 2}, new boolean[] {true, true}, 1.0), 1e-12);
        // an absent group keeps its unnormalised weight: (0.25 e^0.5, 0.75) / sum
        double a = 0.25 * Math.exp(0.5);
        assertArrayEquals(new double[] {a / (a + 0.75), 0.75 / (a + 0.75)},
                GroupDro.nextWeights(new double[] {0.25, 0.75}, new double[] {1, 9}, new boolean[] {true, false}, 0.5), 1e-12);
    }

    @Test
    public void overlappingGroupsWeighTheirExamples() {
        // examples 0..3; groups A1 = {0, 1}, B1 = {2, 3}, A2 = {0, 2, 3}, B2 = {1}
        List<int[]> groups = List.of(new int[] {0, 1}, new int[] {2, 3}, new int[] {0, 2, 3}, new int[] {1});
        GroupDro dro = new GroupDro(groups, new int[] {0, 1, 0, 1}, 2.0);
        // a batch of examples 0, 1, 2 with losses 1, 3, 2
        double[] w = dro.exampleWeights(new double[] {1, 3, 2}, new int[] {0, 1, 2});
        // group means: A1 (0, 1) = 2, B1 (2) = 2, A2 (0, 2) = 1.5, B2 (1) = 3
        double[] u = {0.25 * Math.exp(4), 0.25 * Math.exp(4), 0.25 * Math.exp(3), 0.25 * Math.exp(6)};
        double sum = u[0] + u[1] + u[2] + u[3];
        double[] q = {u[0] / sum, u[1] / sum, u[2] / sum, u[3] / sum};
        assertArrayEquals(q, dro.weights(), 1e-12);
        // example 0: A1 (2 in batch) and A2 (2 in batch); example 1: A1 and B2 (1); example 2: B1 (1) and A2
        assertArrayEquals(new double[] {q[0] / 2 + q[2] / 2, q[0] / 2 + q[3], q[1] + q[2] / 2}, w, 1e-12);
        // the batch loss sum_i w_i l_i is sum_g q_g L_g
        double loss = w[0] * 1 + w[1] * 3 + w[2] * 2;
        double robust = q[0] * 2 + q[1] * 2 + q[2] * 1.5 + q[3] * 3;
        assertArrayEquals(new double[] {robust}, new double[] {loss}, 1e-12);
    }

    @Test
    public void oneGroupOfEveryExampleIsErm() {
        GroupDro dro = new GroupDro(List.of(new int[] {0, 1, 2, 3}), new int[] {0, 0, 1, 1}, 0.5);
        assertArrayEquals(new double[] {0.25, 0.25, 0.25, 0.25},
                dro.exampleWeights(new double[] {1, 2, 3, 4}, new int[] {3, 1, 0, 2}), 1e-12);
        assertArrayEquals(new double[] {0.5, 0.5}, dro.exampleWeights(new double[] {5, 7}, new int[] {2, 0}), 1e-12);
    }

    @Test
    public void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> new GroupDro(List.of(), new int[] {0}, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new GroupDro(List.of(new int[0]), new int[] {0}, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new GroupDro(List.of(new int[] {1}), new int[] {0}, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new GroupDro(List.of(new int[] {0}), new int[] {0}, 0.0));
        assertThrows(IllegalArgumentException.class, () -> new GroupDro(List.of(new int[] {0}), new int[] {0}, Double.NaN));
    }
}
