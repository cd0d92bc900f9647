package org.tribuoadapt.core.model;

import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.train.AdamOptimiserFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A model predicts from several threads at once (new threads start with PyTorch's gradient recording on) and gets
 * exactly the single-threaded probabilities.
 */
public class NetworkModelConcurrencyTest {

    @Test
    public void concurrentPredictionsEqualSequentialOnes() throws Exception {
        MutableDataset<Label> train = SyntheticImages.dataset(120, 3, 8, 21);
        MutableDataset<Label> test = SyntheticImages.dataset(300, 3, 8, 22);
        NetworkModel model = new NetworkTrainer(NetworkTrainerTest.cnn(), new AdamOptimiserFactory(0.01), 1, 16, 5L).train(train);
        List<Prediction<Label>> expected = model.predict(test);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Prediction<Label>>>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                futures.add(pool.submit(() -> model.predict(test)));
            }
            for (Future<List<Prediction<Label>>> f : futures) {
                List<Prediction<Label>> actual = f.get();
                assertEquals(expected.size(), actual.size());
                for (int i = 0; i < expected.size(); i++) {
                    for (String label : expected.get(i).getOutputScores().keySet()) {
                        assertEquals(expected.get(i).getOutputScores().get(label).getScore(),
                                actual.get(i).getOutputScores().get(label).getScore(), 0.0, "example " + i);
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
