package org.tribuoadapt.tta.method.labelshift;

import org.junit.jupiter.api.Test;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuoadapt.core.testing.SyntheticImages;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Label-shift EM's prior estimate and re-weighting (Saerens et al. 2002).
 */
public class LabelShiftEMTest {

    @Test
    public void labelShiftEmFollowsSaerens() {
        // one-hot posteriors: the priors converge to the class frequencies in one step
        List<double[]> oneHot = List.of(new double[] {1, 0}, new double[] {1, 0}, new double[] {0, 1});
        assertArrayEquals(new double[] {2.0 / 3, 1.0 / 3},
                LabelShiftEM.estimatePriors(oneHot, new double[] {0.5, 0.5}, 100, 1e-9), 1e-12);
        // q(c) proportional to (pi(c) / pi_s(c)) p(c)
        assertArrayEquals(new double[] {0.75, 0.25},
                LabelShiftEM.reweight(new double[] {0.5, 0.5}, new double[] {0.6, 0.2}, new double[] {0.5, 0.5}),
                1e-12);
        // 80 posteriors (0.9, 0.1) and 20 posteriors (0.1, 0.9) under uniform source priors: the likelihood is
        // maximal where 1 = 0.72 / (0.8 a + 0.1) + 0.02 / (0.9 - 0.8 a), i.e. at a = 0.875
        List<double[]> soft = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            soft.add(new double[] {0.9, 0.1});
        }
        for (int i = 0; i < 20; i++) {
            soft.add(new double[] {0.1, 0.9});
        }
        double[] priors = LabelShiftEM.estimatePriors(soft, new double[] {0.5, 0.5}, 1000, 1e-10);
        assertEquals(0.875, priors[0], 1e-6);
        // source priors come from the training label counts
        MutableDataset<Label> skewed = new MutableDataset<>(SyntheticImages.dataset(10, 2, 4, 1).getProvenance(),
                new org.tribuo.classification.LabelFactory());
        for (org.tribuo.Example<Label> e : SyntheticImages.examples(40, 2, 4, 1)) {
            if (e.getOutput().getLabel().equals("c0") || skewed.size() % 4 == 0) {
                skewed.add(e);
            }
        }
        Model<Label> linear = new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(0.1), 1, 1L).train(skewed);
        double[] source = LabelShiftEM.sourcePriors(linear);
        int c0 = linear.getOutputIDInfo().getID(new Label("c0"));
        assertTrue(source[c0] > 0.7, "c0 prior " + source[c0]);
    }
}
