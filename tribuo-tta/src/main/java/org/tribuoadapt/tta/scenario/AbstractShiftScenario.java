package org.tribuoadapt.tta.scenario;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.classification.Label;
import org.tribuo.provenance.DataProvenance;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.train.Evaluation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The part every scenario shares: the stream mode, the batch size, the Dirichlet label correlation, the Dirichlet
 * class priors of a label-shifted stream, the number of examples per domain and the seed, and the construction of
 * the ordered, batched stream from a subclass's domains.
 * <p>
 * Within a domain (or, for {@link StreamMode#MIXED}, over all domains together) examples are shuffled, or ordered
 * by {@link LabelCorrelatedOrder} when {@code dirichletDelta > 0}, as the benchmark of Marsden, Döbler and Yang
 * (2024) does. Batches never span two domains except in mixed streams.
 */
public abstract class AbstractShiftScenario implements ShiftScenario {

    @Config(description = "How domains follow each other: RESET (reset the model per shift), CONTINUAL or MIXED.")
    private StreamMode mode = StreamMode.RESET;

    @Config(description = "Examples per batch, at least 1.")
    private int batchSize = 64;

    @Config(description = "Dirichlet concentration delta of the label-correlated order; 0 gives an i.i.d. order.")
    private double dirichletDelta = 0.0;

    @Config(description = "Concentration alpha of Dirichlet(alpha 1) class priors that each domain's examples are "
            + "subsampled to follow (label shift, Park et al. 2023); 0 keeps the data's own class frequencies.")
    private double classPriorConcentration = 0.0;

    @Config(description = "Examples per domain, drawn at random; 0 uses every example.")
    private int examplesPerDomain = 0;

    @Config(description = "Seed of the shifts, the subsample and the order.")
    private long seed = 1L;

    /** For OLCUT. */
    protected AbstractShiftScenario() {}

    /**
     * Sets the shared settings.
     * @param mode How domains follow each other.
     * @param batchSize Examples per batch.
     * @param dirichletDelta The Dirichlet concentration; 0 for an i.i.d. order.
     * @param examplesPerDomain Examples per domain; 0 for all.
     * @param seed The seed.
     */
    protected AbstractShiftScenario(StreamMode mode, int batchSize, double dirichletDelta, int examplesPerDomain,
                                    long seed) {
        this.mode = mode;
        this.batchSize = batchSize;
        this.dirichletDelta = dirichletDelta;
        this.examplesPerDomain = examplesPerDomain;
        this.seed = seed;
    }

    @Override
    public void postConfig() {
        if (mode == null) {
            throw new PropertyException("", "mode", "mode must be one of " + Arrays.toString(StreamMode.values()));
        }
        if (batchSize < 1) {
            throw new PropertyException("", "batchSize", "batchSize must be at least 1, found " + batchSize);
        }
        if (!(dirichletDelta >= 0) || Double.isInfinite(dirichletDelta)) {
            throw new PropertyException("", "dirichletDelta", "dirichletDelta must be finite and >= 0 (0 for an i.i.d. "
                    + "order), found " + dirichletDelta);
        }
        if (!(classPriorConcentration >= 0) || Double.isInfinite(classPriorConcentration)) {
            throw new PropertyException("", "classPriorConcentration", "classPriorConcentration must be finite and "
                    + ">= 0 (0 for no label shift), found " + classPriorConcentration);
        }
        if (examplesPerDomain < 0) {
            throw new PropertyException("", "examplesPerDomain", "examplesPerDomain must be >= 0 (0 for all), found "
                    + examplesPerDomain);
        }
    }

    @Override
    public StreamMode mode() {
        return mode;
    }

    @Override
    public int batchSize() {
        return batchSize;
    }

    @Override
    public long seed() {
        return seed;
    }

    /**
     * The Dirichlet concentration of the label-correlated order, 0 for i.i.d.
     * @return Delta.
     */
    public double dirichletDelta() {
        return dirichletDelta;
    }

    /**
     * The Dirichlet concentration of the class priors that domains are subsampled to follow, 0 for none.
     * @return Alpha.
     */
    public double classPriorConcentration() {
        return classPriorConcentration;
    }

    /**
     * Makes the stream label-shifted as well: each domain keeps the largest subsample (at most
     * {@code examplesPerDomain}) whose class frequencies follow class priors drawn from Dirichlet(alpha 1) with the
     * seed ({@link DirichletClassPriors}); the order within domains is still set by {@code dirichletDelta}.
     * @param alpha The concentration; 0 for no label shift.
     * @return This scenario.
     */
    public AbstractShiftScenario withClassPriorConcentration(double alpha) {
        this.classPriorConcentration = alpha;
        postConfig();
        return this;
    }

    /**
     * Examples per domain, 0 for all.
     * @return The count.
     */
    public int examplesPerDomain() {
        return examplesPerDomain;
    }

    @Override
    public String describe() {
        return mode.name().toLowerCase() + ", batch " + batchSize
                + (dirichletDelta > 0 ? ", Dirichlet " + dirichletDelta : ", i.i.d.")
                + (classPriorConcentration > 0 ? ", class priors Dirichlet " + classPriorConcentration : "")
                + (examplesPerDomain > 0 ? ", " + examplesPerDomain + " per domain" : "") + ", seed " + seed;
    }

    /**
     * The domains of the stream and the provenance of the data they come from.
     * @param domains The domains, in stream order.
     * @param sources The provenance of their data.
     */
    protected record Domains(List<ShiftDomain> domains, List<DataProvenance> sources) {}

    /**
     * Builds the domains.
     * @param testData The clean test data (may be null for scenarios that do not use it).
     * @param tensorizer Densifies examples in the model's feature order.
     * @param outputInfo The model's labels.
     * @param rng The stream for any random choice of the subclass.
     * @return The domains and their data's provenance.
     */
    protected abstract Domains domains(Dataset<Label> testData, FeatureTensorizer tensorizer,
                                       ImmutableOutputInfo<Label> outputInfo, SplittableRandom rng);

    /**
     * The examples a domain of {@code n} keeps: all of them, or {@code examplesPerDomain} drawn at random.
     * @param n The number available.
     * @param rng The random stream.
     * @return Indices in increasing order.
     */
    protected final int[] subsample(int n, SplittableRandom rng) {
        if (examplesPerDomain == 0 || examplesPerDomain >= n) {
            return Evaluation.range(0, n);
        }
        int[] chosen = Arrays.copyOf(TensorDataset.permutation(n, rng), examplesPerDomain);
        Arrays.sort(chosen);
        return chosen;
    }

    /**
     * The examples a domain keeps: those of {@link #subsample(int, SplittableRandom)}, or, with class priors, the
     * largest subsample that follows priors drawn from Dirichlet({@code classPriorConcentration}).
     * @param labels The label ids of the available examples.
     * @param numClasses The number of classes.
     * @param rng The random stream.
     * @return Indices in increasing order.
     */
    protected final int[] subsample(int[] labels, int numClasses, SplittableRandom rng) {
        if (classPriorConcentration == 0) {
            return subsample(labels.length, rng);
        }
        return DirichletClassPriors.draw(labels, numClasses, classPriorConcentration, examplesPerDomain, rng).indices();
    }

    @Override
    public final TtaStream open(Dataset<Label> testData, ImmutableFeatureMap featureMap,
                                ImmutableOutputInfo<Label> outputInfo) {
        FeatureTensorizer tensorizer = new FeatureTensorizer(featureMap, new Shape(featureMap.size()));
        SplittableRandom root = new SplittableRandom(seed);
        Domains built = domains(testData, tensorizer, outputInfo, root.split());
        List<ShiftDomain> domains = built.domains();
        if (domains.isEmpty()) {
            throw new IllegalArgumentException("scenario " + this + " has no domains");
        }
        for (ShiftDomain d : domains) {
            if (d.size() == 0) {
                throw new IllegalArgumentException("domain '" + d.name() + "' of scenario " + this + " has no examples");
            }
        }
        SplittableRandom orderRng = root.split();
        int total = domains.stream().mapToInt(ShiftDomain::size).sum();
        int[] domainOf = new int[total];
        int[] exampleOf = new int[total];
        List<Integer> starts = new ArrayList<>();
        List<Boolean> resets = new ArrayList<>();
        if (mode == StreamMode.MIXED) {
            int[] pooledDomain = new int[total];
            int[] pooledExample = new int[total];
            int[] pooledLabels = new int[total];
            int p = 0;
            for (int d = 0; d < domains.size(); d++) {
                for (int i = 0; i < domains.get(d).size(); i++) {
                    pooledDomain[p] = d;
                    pooledExample[p] = i;
                    pooledLabels[p++] = domains.get(d).label(i);
                }
            }
            int[] order = order(pooledLabels, outputInfo.size(), orderRng);
            for (int i = 0; i < total; i++) {
                domainOf[i] = pooledDomain[order[i]];
                exampleOf[i] = pooledExample[order[i]];
            }
            for (int from = 0; from < total; from += batchSize) {
                starts.add(from);
                resets.add(false);
            }
        } else {
            int p = 0;
            for (int d = 0; d < domains.size(); d++) {
                ShiftDomain domain = domains.get(d);
                int[] order = order(domain.labels(), outputInfo.size(), orderRng.split());
                for (int from = 0; from < order.length; from += batchSize) {
                    starts.add(p + from);
                    resets.add(mode == StreamMode.RESET && from == 0 && d > 0);
                }
                for (int i : order) {
                    domainOf[p] = d;
                    exampleOf[p++] = i;
                }
            }
        }
        boolean[] resetFlags = new boolean[resets.size()];
        for (int i = 0; i < resetFlags.length; i++) {
            resetFlags[i] = resets.get(i);
        }
        return new TtaStream(mode, domains, tensorizer.width(), outputInfo.size(), domainOf, exampleOf,
                starts.stream().mapToInt(Integer::intValue).toArray(), resetFlags, built.sources());
    }

    private int[] order(int[] labels, int numClasses, SplittableRandom rng) {
        return dirichletDelta > 0 ? LabelCorrelatedOrder.order(labels, numClasses, dirichletDelta, rng)
                : TensorDataset.permutation(labels.length, rng);
    }

    /**
     * Labelled examples in dense form.
     * @param features {@code labels.length * width} values, example after example, in the model's feature order.
     * @param labels The label ids in the model's output ids.
     */
    protected record DenseData(float[] features, int[] labels) {}

    /**
     * Densifies examples with their label ids in the model's output ids.
     * @param examples The examples.
     * @param tensorizer The feature layout.
     * @param outputInfo The model's labels.
     * @return The dense data.
     * @throws IllegalArgumentException if there are no examples, a label is unknown to the model or a value is not
     * finite.
     */
    protected static DenseData densify(Iterable<Example<Label>> examples, FeatureTensorizer tensorizer,
                                       ImmutableOutputInfo<Label> outputInfo) {
        TensorDataset data = TensorDataset.from(examples, tensorizer, outputInfo);
        try (NDManager manager = DjlRuntime.newManager()) {
            float[] features = data.features(manager, Evaluation.range(0, data.size())).toFloatArray();
            return new DenseData(features, data.labels());
        }
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "ShiftScenario");
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + describe() + ")";
    }
}
