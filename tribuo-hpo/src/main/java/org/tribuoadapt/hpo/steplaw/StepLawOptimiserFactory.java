package org.tribuoadapt.hpo.steplaw;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.train.NetworkOptimiser;
import org.tribuoadapt.core.train.OptimiserFactory;
import org.tribuoadapt.core.train.TrainingPlan;

import java.util.List;
import java.util.logging.Logger;

/**
 * Sets a base optimiser's learning rate from the Step Law (Li et al. 2025, "Predictable Scale: Part I", arXiv
 * 2503.04715): when a trainer creates the optimiser, N is the network's trainable parameter count (less
 * {@code excludedParameters}, e.g. embeddings, which the paper leaves out) and D is the planned amount of training
 * data, {@code examples * epochs * units per example} in the configured {@link DataMeasure}. The base factory is
 * rebuilt with {@code learningRate = eta(N, D)}; it can be any factory with a {@code learningRate} property (Adam,
 * AdamW, SGD, Adam-HD, ...).
 * <p>
 * The law was fitted on transformer language models trained with AdamW and D in tokens; anywhere else the
 * prediction is an extrapolation, to be checked or refitted with {@link StepLaw#fit}. The predicted rate is the
 * first entry of the model's learning-rate trajectory, and the law's constants and the data measure are in this
 * factory's provenance. The predicted batch size {@code B(D) / unitsPerExample} is logged for comparison with the
 * trainer's batch size, which this factory cannot change.
 */
public final class StepLawOptimiserFactory implements OptimiserFactory {
    private static final long serialVersionUID = 1L;
    private static final Logger logger = Logger.getLogger(StepLawOptimiserFactory.class.getName());

    @Config(mandatory = true, description = "The optimiser whose learningRate the law sets.")
    private OptimiserFactory base;

    @Config(description = "The law and its constants (the paper's by default).")
    private StepLaw law = new StepLaw();

    @Config(description = "What one unit of data D is: EXAMPLES, INPUT_VALUES or TOKENS.")
    private DataMeasure dataMeasure = DataMeasure.EXAMPLES;

    @Config(description = "Tokens per example when dataMeasure is TOKENS.")
    private double tokensPerExample = 1.0;

    @Config(description = "Trainable parameters to leave out of N (the paper counts non-embedding parameters).")
    private long excludedParameters = 0;

    /** For OLCUT. */
    private StepLawOptimiserFactory() {}

    /**
     * Creates a factory with the paper's constants, counting D in examples.
     * @param base The optimiser whose learning rate the law sets.
     */
    public StepLawOptimiserFactory(OptimiserFactory base) {
        this(base, new StepLaw(), DataMeasure.EXAMPLES, 1.0, 0);
    }

    /**
     * Creates a factory.
     * @param base The optimiser whose learning rate the law sets.
     * @param law The law.
     * @param dataMeasure What one unit of D is.
     * @param tokensPerExample Tokens per example for {@link DataMeasure#TOKENS}.
     * @param excludedParameters Trainable parameters to leave out of N.
     */
    public StepLawOptimiserFactory(OptimiserFactory base, StepLaw law, DataMeasure dataMeasure, double tokensPerExample,
                                   long excludedParameters) {
        this.base = base;
        this.law = law;
        this.dataMeasure = dataMeasure;
        this.tokensPerExample = tokensPerExample;
        this.excludedParameters = excludedParameters;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (base == null || law == null || dataMeasure == null) {
            throw new PropertyException("", "base", "base, law and dataMeasure must be set");
        }
        if (!(tokensPerExample > 0) || Double.isInfinite(tokensPerExample)) {
            throw new PropertyException("", "tokensPerExample", "tokensPerExample must be positive and finite, found " + tokensPerExample);
        }
        if (excludedParameters < 0) {
            throw new PropertyException("", "excludedParameters", "excludedParameters must be >= 0, found " + excludedParameters);
        }
        LearningRateOverride.check(base);
    }

    /**
     * The model size N the law sees for a run.
     * @param plan The run.
     * @return Trainable parameters less the excluded ones.
     * @throws IllegalArgumentException if no parameter is left.
     */
    public double modelSize(TrainingPlan plan) {
        long n = plan.trainableParameters() - excludedParameters;
        if (n <= 0) {
            throw new IllegalArgumentException("the Step Law needs N > 0, but the network has " + plan.trainableParameters()
                    + " trainable parameters and excludedParameters is " + excludedParameters);
        }
        return n;
    }

    /**
     * The data size D the law sees for a run: {@code examples * epochs * unitsPerExample}.
     * @param plan The run.
     * @return D.
     */
    public double dataSize(TrainingPlan plan) {
        return (double) plan.examples() * plan.epochs() * dataMeasure.unitsPerExample(plan.valuesPerExample(), tokensPerExample);
    }

    /**
     * The learning rate this factory will give a run.
     * @param plan The run.
     * @return {@code eta(N, D)}.
     */
    public double predictedLearningRate(TrainingPlan plan) {
        return law.learningRate(modelSize(plan), dataSize(plan));
    }

    @Override
    public NetworkOptimiser create(List<Parameter> parameters, TrainingPlan plan) {
        double n = modelSize(plan);
        double d = dataSize(plan);
        double rate = law.learningRate(n, d);
        double batchExamples = law.batchSize(d) / dataMeasure.unitsPerExample(plan.valuesPerExample(), tokensPerExample);
        logger.info(String.format("Step Law (an extrapolation outside transformer LMs): N = %.4g, D = %.4g %s -> "
                        + "learning rate %.4g; predicted batch size %.4g examples (the trainer uses %d)",
                n, d, dataMeasure, rate, batchExamples, plan.batchSize()));
        return LearningRateOverride.apply(base, rate).create(parameters, plan);
    }

    @Override
    public String toString() {
        return "StepLaw(base=" + base + ",law=" + law + ",dataMeasure=" + dataMeasure
                + (dataMeasure == DataMeasure.TOKENS ? ",tokensPerExample=" + tokensPerExample : "")
                + ",excludedParameters=" + excludedParameters + ")";
    }
}
