package org.tribuoadapt.robust.evaluation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.LogitNetwork;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.robust.attack.Attack;
import org.tribuoadapt.robust.attack.BlackBoxAttack;
import org.tribuoadapt.robust.attack.DifferentiableModel;
import org.tribuoadapt.robust.attack.GradientAttack;
import org.tribuoadapt.robust.attack.StagedAttack;
import org.tribuoadapt.robust.smoothing.AdaptiveSmoothingModel;
import org.tribuoadapt.robust.smoothing.AdaptiveSmoothingTrainer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleFunction;

/**
 * Measures a classifier's robustness: its clean accuracy and its accuracy under each configured attack at each
 * configured budget (robust accuracy counts an example only if both its clean and its attacked input are classified
 * correctly). Gradient attacks differentiate through the whole model, composites included, so a mixture is attacked
 * as one classifier and no gradient is masked; black-box attacks query {@code model.predict} and work on any model
 * with probabilities. A staged attack (AutoAttack) also reports the examples each of its attacks broke and the robust
 * accuracy after each ({@link AttackOutcome#stages()}). {@code alphaCurve} traces adaptive smoothing's accuracy-robustness trade-off over alpha
 * (Bai et al. 2024, figure 2).
 * <p>
 * The evaluator's configuration (attacks, budgets, seed, subset) is recorded in every evaluation's provenance.
 */
public final class RobustnessEvaluator implements Configurable, Provenancable<ConfiguredObjectProvenance> {

    @Config(mandatory = true, description = "The attacks to run.")
    private List<Attack> attacks = new ArrayList<>();

    @Config(description = "The budgets to run every attack at; empty runs each attack at its own epsilon.")
    private double[] epsilons = new double[0];

    @Config(description = "Examples attacked together.")
    private int batchSize = 256;

    @Config(description = "Seed of the attacks' random starts.")
    private long seed = 1L;

    @Config(description = "Evaluate only the first maxExamples examples; 0 evaluates all.")
    private int maxExamples = 0;

    /** For OLCUT. */
    private RobustnessEvaluator() {}

    /**
     * Creates an evaluator that runs each attack at its own budget on every example.
     * @param attacks The attacks.
     * @param seed The seed.
     */
    public RobustnessEvaluator(List<? extends Attack> attacks, long seed) {
        this(attacks, new double[0], 256, seed, 0);
    }

    /**
     * Creates an evaluator.
     * @param attacks The attacks.
     * @param epsilons The budgets (empty for each attack's own).
     * @param batchSize Examples attacked together.
     * @param seed The seed.
     * @param maxExamples Evaluate only the first examples; 0 for all.
     */
    public RobustnessEvaluator(List<? extends Attack> attacks, double[] epsilons, int batchSize, long seed, int maxExamples) {
        this.attacks = new ArrayList<>(attacks);
        this.epsilons = epsilons.clone();
        this.batchSize = batchSize;
        this.seed = seed;
        this.maxExamples = maxExamples;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (attacks.isEmpty()) {
            throw new PropertyException("", "attacks", "the evaluator needs at least one attack");
        }
        for (double e : epsilons) {
            if (!(e >= 0) || Double.isInfinite(e)) {
                throw new PropertyException("", "epsilons", "every epsilon must be finite and >= 0, found " + e);
            }
        }
        if (batchSize < 1) {
            throw new PropertyException("", "batchSize", "batchSize must be at least 1, found " + batchSize);
        }
        if (maxExamples < 0) {
            throw new PropertyException("", "maxExamples", "maxExamples must be >= 0 (0 for all), found " + maxExamples);
        }
    }

    /**
     * Evaluates a model.
     * @param model The model.
     * @param dataset The test data.
     * @return The evaluation.
     * @throws IllegalArgumentException if the data is empty or has labels the model does not know, or a gradient
     * attack is configured for a model that cannot be differentiated.
     */
    public RobustnessEvaluation evaluate(Model<Label> model, Dataset<Label> dataset) {
        List<Example<Label>> examples = new ArrayList<>();
        for (Example<Label> e : dataset) {
            if (maxExamples > 0 && examples.size() == maxExamples) {
                break;
            }
            if (model.getOutputIDInfo().getID(e.getOutput()) < 0) {
                throw new IllegalArgumentException("example " + examples.size() + " has label '" + e.getOutput().getLabel()
                        + "', which the model does not predict; its labels are " + model.getOutputIDInfo().getDomain());
            }
            examples.add(e);
        }
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("the test dataset is empty");
        }
        List<Prediction<Label>> predictions = model.predict(examples);
        boolean[] cleanCorrect = correct(predictions, examples);
        SplittableRandom master = new SplittableRandom(seed);
        List<AttackOutcome> outcomes = new ArrayList<>();
        for (Attack attack : attacks) {
            double[] budgets = epsilons.length == 0 ? new double[] {attack.epsilon()} : epsilons;
            for (double epsilon : budgets) {
                Attack configured = epsilon == attack.epsilon() ? attack : attack.withEpsilon(epsilon);
                outcomes.add(run(configured, model, examples, cleanCorrect, master.split()));
            }
        }
        RobustnessEvaluationProvenance provenance = new RobustnessEvaluationProvenance(model.getProvenance(),
                dataset.getProvenance(), getProvenance(), examples.size());
        return new RobustnessEvaluation(share(cleanCorrect), outcomes, predictions, provenance);
    }

    /**
     * Traces adaptive smoothing's accuracy-robustness curve (Bai et al. 2024, figure 2) for two models held in memory:
     * for each alpha, a fixed-alpha mixture of the two models (equation 3) is built and evaluated (attacked as a
     * whole). At alpha 0 and 1 with unit temperature the mixture is one base model, so that model is evaluated itself.
     * The mixtures' provenance names both bases but not where they can be loaded from; use
     * {@link #alphaCurve(Path, Path, double[], double, double, Dataset)} for mixtures that can be rebuilt from
     * provenance alone.
     * @param standard The standard model.
     * @param robust The robust model.
     * @param alphas The robust model's weights to try, each in [0, 1].
     * @param standardTemperature The standard model's logit scale.
     * @param robustTemperature The robust model's logit scale.
     * @param dataset The test data.
     * @return The curve.
     */
    public AlphaCurve alphaCurve(Model<Label> standard, Model<Label> robust, double[] alphas, double standardTemperature,
                                 double robustTemperature, Dataset<Label> dataset) {
        return alphaCurve(alpha -> new AdaptiveSmoothingTrainer(standard, robust, alpha, standardTemperature,
                robustTemperature), alphas, standardTemperature, robustTemperature, dataset);
    }

    /**
     * Traces adaptive smoothing's accuracy-robustness curve (Bai et al. 2024, figure 2) for two models stored as
     * Tribuo model files: every mixture (equation 3) is built by an {@link AdaptiveSmoothingTrainer} configured with
     * the two paths, so its provenance records the paths and the files' SHA-256 and it can be retrained from
     * provenance alone. At alpha 0 and 1 with unit temperature the base model read from its file is evaluated itself.
     * @param standardModelPath The standard model's file.
     * @param robustModelPath The robust model's file.
     * @param alphas The robust model's weights to try, each in [0, 1].
     * @param standardTemperature The standard model's logit scale.
     * @param robustTemperature The robust model's logit scale.
     * @param dataset The test data.
     * @return The curve.
     * @throws java.io.UncheckedIOException if a file cannot be read.
     */
    public AlphaCurve alphaCurve(Path standardModelPath, Path robustModelPath, double[] alphas, double standardTemperature,
                                 double robustTemperature, Dataset<Label> dataset) {
        return alphaCurve(alpha -> new AdaptiveSmoothingTrainer(standardModelPath, robustModelPath, alpha,
                standardTemperature, robustTemperature), alphas, standardTemperature, robustTemperature, dataset);
    }

    private AlphaCurve alphaCurve(DoubleFunction<AdaptiveSmoothingTrainer> trainers, double[] alphas,
                                  double standardTemperature, double robustTemperature, Dataset<Label> dataset) {
        List<RobustnessEvaluation> evaluations = new ArrayList<>();
        for (double alpha : alphas) {
            AdaptiveSmoothingModel mixture = trainers.apply(alpha).train(dataset);
            Model<Label> evaluated;
            if (alpha == 0 && standardTemperature == 1) {
                evaluated = mixture.standardModel();
            } else if (alpha == 1 && robustTemperature == 1) {
                evaluated = mixture.robustModel();
            } else {
                evaluated = mixture;
            }
            evaluations.add(evaluate(evaluated, dataset));
        }
        return new AlphaCurve(alphas, evaluations);
    }

    private AttackOutcome run(Attack attack, Model<Label> model, List<Example<Label>> examples, boolean[] cleanCorrect,
                              SplittableRandom rng) {
        long start = System.nanoTime();
        Perturbed perturbed;
        if (attack instanceof GradientAttack) {
            DifferentiableModel differentiable = DifferentiableModel.of(model).orElseThrow(() ->
                    new IllegalArgumentException("attack " + attack.name() + " needs gradients, but the model "
                            + model.getName() + " (" + model.getClass().getSimpleName() + ") is a black box; "
                            + "use a black-box attack such as SquareAttack"));
            perturbed = gradientAttack((GradientAttack) attack, differentiable, model, examples, rng);
        } else if (attack instanceof BlackBoxAttack) {
            perturbed = blackBoxAttack((BlackBoxAttack) attack, model, examples, rng);
        } else {
            throw new IllegalArgumentException("unknown kind of attack " + attack.getClass().getName()
                    + "; expected a GradientAttack or a BlackBoxAttack");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int robust = 0;
        int cleanRight = 0;
        int broken = 0;
        double normSum = 0;
        double normMax = 0;
        for (int i = 0; i < examples.size(); i++) {
            boolean stillRight = cleanCorrect[i] && perturbed.correct[i];
            robust += stillRight ? 1 : 0;
            cleanRight += cleanCorrect[i] ? 1 : 0;
            broken += cleanCorrect[i] && !perturbed.correct[i] ? 1 : 0;
            normSum += perturbed.norms[i];
            normMax = Math.max(normMax, perturbed.norms[i]);
        }
        List<AttackOutcome.StageOutcome> stages = perturbed.brokenBy == null ? List.of()
                : stages(((StagedAttack) attack).stageNames(), perturbed.brokenBy, cleanCorrect, cleanRight);
        return new AttackOutcome(attack.name(), attack.norm(), attack.epsilon(), (double) robust / examples.size(),
                cleanRight == 0 ? 0.0 : (double) broken / cleanRight, normSum / examples.size(), normMax,
                examples.size(), seconds, stages);
    }

    /** The examples each stage broke and the robust accuracy after it. */
    private static List<AttackOutcome.StageOutcome> stages(List<String> names, int[] brokenBy, boolean[] cleanCorrect,
                                                           int cleanRight) {
        List<AttackOutcome.StageOutcome> out = new ArrayList<>(names.size());
        int standing = cleanRight;
        for (int s = 0; s < names.size(); s++) {
            int broken = 0;
            for (int i = 0; i < brokenBy.length; i++) {
                broken += cleanCorrect[i] && brokenBy[i] == s ? 1 : 0;
            }
            standing -= broken;
            out.add(new AttackOutcome.StageOutcome(names.get(s), broken, (double) standing / brokenBy.length));
        }
        return out;
    }

    /**
     * Per example: whether the attacked input is classified correctly, the perturbation's norm and, for a staged
     * attack, the stage that broke it (null otherwise).
     */
    private record Perturbed(boolean[] correct, double[] norms, int[] brokenBy) {}

    private Perturbed gradientAttack(GradientAttack attack, DifferentiableModel differentiable, Model<Label> model,
                                     List<Example<Label>> examples, SplittableRandom rng) {
        FeatureTensorizer tensorizer = differentiable.tensorizer();
        TensorDataset data = TensorDataset.from(examples, tensorizer, model.getOutputIDInfo());
        boolean[] correct = new boolean[examples.size()];
        double[] norms = new double[examples.size()];
        int[] brokenBy = attack instanceof StagedAttack ? new int[examples.size()] : null;
        int width = tensorizer.width();
        try (LogitNetwork classifier = differentiable.newClassifier(); NDManager root = DjlRuntime.newManager()) {
            for (int from = 0; from < data.size(); from += batchSize) {
                int[] indices = Evaluation.range(from, Math.min(data.size(), from + batchSize));
                try (NDManager batch = root.newSubManager(); NDScope scope = new NDScope()) {
                    NDArray inputs = data.features(batch, indices);
                    NDArray labels = data.labels(batch, indices);
                    NDArray adversarial;
                    if (attack instanceof StagedAttack staged) {
                        StagedAttack.Result result = staged.perturbInStages(classifier, inputs, labels, rng);
                        adversarial = result.adversarial();
                        System.arraycopy(result.brokenBy(), 0, brokenBy, from, indices.length);
                    } else {
                        adversarial = attack.perturb(classifier, inputs, labels, rng);
                    }
                    long[] predicted;
                    try (GradientMode off = GradientMode.disabled()) {
                        predicted = classifier.logits(adversarial).argMax(1).toLongArray();
                    }
                    float[] delta = adversarial.sub(inputs).toFloatArray();
                    for (int j = 0; j < indices.length; j++) {
                        correct[from + j] = predicted[j] == data.label(from + j);
                        norms[from + j] = attack.norm().measure(delta, j * width, width);
                    }
                }
            }
        }
        return new Perturbed(correct, norms, brokenBy);
    }

    private Perturbed blackBoxAttack(BlackBoxAttack attack, Model<Label> model, List<Example<Label>> examples,
                                     SplittableRandom rng) {
        List<Example<Label>> adversarial = attack.perturb(model, examples, rng);
        boolean[] correct = correct(model.predict(adversarial), examples);
        FeatureTensorizer flat = new FeatureTensorizer(model.getFeatureIDMap(), new Shape(model.getFeatureIDMap().size()));
        float[] clean = flat.toArray(examples);
        float[] attacked = flat.toArray(adversarial);
        int width = flat.width();
        double[] norms = new double[examples.size()];
        for (int i = 0; i < attacked.length; i++) {
            attacked[i] -= clean[i];
        }
        for (int i = 0; i < norms.length; i++) {
            norms[i] = attack.norm().measure(attacked, i * width, width);
        }
        return new Perturbed(correct, norms, null);
    }

    private static boolean[] correct(List<Prediction<Label>> predictions, List<Example<Label>> examples) {
        boolean[] out = new boolean[examples.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = predictions.get(i).getOutput().getLabel().equals(examples.get(i).getOutput().getLabel());
        }
        return out;
    }

    private static double share(boolean[] flags) {
        int count = 0;
        for (boolean f : flags) {
            count += f ? 1 : 0;
        }
        return (double) count / flags.length;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "RobustnessEvaluator");
    }

    @Override
    public String toString() {
        return "RobustnessEvaluator(attacks=" + attacks + ",epsilons=" + java.util.Arrays.toString(epsilons) + ",batchSize="
                + batchSize + ",seed=" + seed + ",maxExamples=" + maxExamples + ")";
    }
}
