package org.tribuoadapt.examples.bench.hpo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuoadapt.core.data.IDXImageDataSource;
import org.tribuoadapt.hpo.stn.SelfTuningModel;
import org.tribuoadapt.hpo.stn.SelfTuningTrainer;

import java.io.IOException;
import java.util.Collections;

/**
 * Part (f) of {@code bench hpo}: a Self-Tuning Network (MacKay et al. 2019) that tunes its per-layer dropout rates and
 * L2 coefficient online, against a grid of fixed dropout and L2 values, on a class-balanced Fashion-MNIST subset
 * with an MLP. Every run uses the same architecture, data, seed, validation hold-out and number of weight steps; the
 * fixed-value runs take no hyperparameter steps. Accuracy is measured on test images none of the runs saw.
 */
final class StnComparison {

    private final MutableDataset<Label> train;
    private final MutableDataset<Label> test;
    private final int[] hidden;
    private final int epochs;
    private final int batch;

    /**
     * Loads the data.
     * @param prefix The directory (ending in a separator) or classpath prefix of the four IDX files.
     * @param trainPerClass Training images per class (a tenth of them are the STN's validation set).
     * @param testPerClass Test images per class.
     * @param hidden The hidden widths.
     * @param epochs The epochs of every run.
     * @param batch The batch size.
     * @throws IOException If the files cannot be read.
     */
    StnComparison(String prefix, int trainPerClass, int testPerClass, int[] hidden, int epochs, int batch)
            throws IOException {
        this.train = new MutableDataset<>(new IDXImageDataSource(prefix + "train-images-idx3-ubyte.gz",
                prefix + "train-labels-idx1-ubyte.gz", Collections.emptyList(), Collections.emptyList(),
                trainPerClass));
        this.test = new MutableDataset<>(new IDXImageDataSource(prefix + "t10k-images-idx3-ubyte.gz",
                prefix + "t10k-labels-idx1-ubyte.gz", Collections.emptyList(), Collections.emptyList(),
                testPerClass));
        this.hidden = hidden.clone();
        this.epochs = epochs;
        this.batch = batch;
    }

    /**
     * Trains one run.
     * @param dropout The (initial) dropout rate.
     * @param l2 The (initial) L2 coefficient.
     * @param tune Whether the STN tunes them.
     * @param seed The seed.
     * @param mapper The JSON mapper.
     * @return One JSON line.
     */
    ObjectNode run(double dropout, double l2, boolean tune, long seed, ObjectMapper mapper) {
        SelfTuningTrainer trainer = new SelfTuningTrainer(hidden, epochs, batch, SelfTuningTrainer.Rounds.PAPER,
                SelfTuningTrainer.Hyper.paper(dropout, l2, tune), seed);
        long start = System.nanoTime();
        SelfTuningModel model = trainer.train(train);
        double seconds = (System.nanoTime() - start) / 1e9;
        double accuracy = new LabelEvaluator().evaluate(model, test).accuracy();
        ObjectNode line = mapper.createObjectNode().put("benchmark", "hpo").put("part", "stn")
                .put("method", tune ? "stn" : "fixed").put("seed", seed)
                .put("initial_dropout", dropout).put("initial_l2", l2).put("epochs", epochs).put("batch", batch)
                .put("train_examples", train.size()).put("test_examples", test.size())
                .put("test_accuracy", accuracy).put("train_seconds", seconds);
        line.putPOJO("final_dropout", model.dropoutRates());
        line.put("final_l2", model.l2());
        return line;
    }
}
