package org.tribuoadapt.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.util.Pair;
import org.tribuo.Example;
import org.tribuo.Excuse;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.provenance.ModelProvenance;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.nn.GradientMode;

import java.lang.ref.Cleaner;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The base of every Tribuo classifier that holds a network: a plain {@link NetworkModel}, a network with adapters,
 * a mixture of networks. A subclass says how to build its computation ({@link #newLogitNetwork()}) from its immutable
 * state; this class owns the rest: the input layout ({@link #tensorizer()}), one cached inference copy built on first
 * use and freed when the model is garbage collected, and batched, thread-safe prediction with softmax probabilities
 * for every label.
 * <p>
 * Other modules work on this type rather than on a concrete model: attacks differentiate
 * {@link #newLogitNetwork()} with respect to the input, test-time methods adapt its networks' parameters, and
 * {@link #adapterParameters()} names the parameters that a cheap adaptation may change.
 */
public abstract class AbstractNetworkModel extends Model<Label> {
    private static final long serialVersionUID = 1L;

    /** The number of examples per inference batch. */
    public static final int PREDICTION_BATCH_SIZE = 256;

    private static final Cleaner CLEANER = Cleaner.create();

    private transient volatile Cached cached;

    /**
     * Creates the model; its output is always a probability distribution.
     * @param name The model name.
     * @param provenance The provenance.
     * @param featureIDMap The features, whose ids give the input layout.
     * @param outputIDInfo The labels, whose ids are the output positions.
     */
    protected AbstractNetworkModel(String name, ModelProvenance provenance, ImmutableFeatureMap featureIDMap,
                                   ImmutableOutputInfo<Label> outputIDInfo) {
        super(name, provenance, featureIDMap, outputIDInfo, true);
    }

    /**
     * Requires a model that holds a network, for a component that differentiates or adapts it.
     * @param model A model.
     * @param user What needs it, for the message (for example "Tent").
     * @return The model as a network model.
     * @throws IllegalArgumentException naming the model and its class, if it holds no network.
     */
    public static AbstractNetworkModel require(Model<?> model, String user) {
        if (model instanceof AbstractNetworkModel network) {
            return network;
        }
        throw new IllegalArgumentException(user + " needs a model that holds a network (a NetworkModel, a PeftModel or "
                + "another AbstractNetworkModel), but '" + model.getName() + "' is a " + model.getClass().getSimpleName());
    }

    /**
     * The shape of one input example.
     * @return The input shape (without the batch dimension).
     */
    public abstract Shape inputShape();

    /**
     * Builds a new, private copy of this model's computation; the caller owns and closes it. Its parameters are
     * trainable as built, so an attack freezes them and a test-time method picks the ones it changes.
     * @return The computation, scores in this model's label-id order.
     */
    public abstract LogitNetwork newLogitNetwork();

    /**
     * The state-dict names (in the networks of {@link #newLogitNetwork()}) of the parameters that a parameter-efficient
     * adapter added to this model: what a cheap adaptation of the model may change without touching the base
     * network. Empty for a model without adapters.
     * @return The parameter names.
     */
    public Set<String> adapterParameters() {
        return Set.of();
    }

    /**
     * The dense input layout: feature ids to the input tensor.
     * @return The tensorizer.
     */
    public FeatureTensorizer tensorizer() {
        return new FeatureTensorizer(featureIDMap, inputShape());
    }

    /**
     * The scores of the cached inference copy for a batch of inputs, without gradients.
     * @param batch Inputs {@code [N, inputShape...]}; the result is allocated in the batch's manager.
     * @return Scores {@code [N, classes]} (logits, or log-probabilities for a mixture), columns in label-id order.
     */
    public NDArray logits(NDArray batch) {
        try (GradientMode ignored = GradientMode.disabled()) {
            return inference().logits(batch);
        }
    }

    /**
     * Builds the inference copy now, so that a model whose state cannot be built fails when it is created.
     */
    protected final void checkBuilds() {
        inference();
    }

    private LogitNetwork inference() {
        Cached current = cached;
        if (current == null) {
            synchronized (this) {
                current = cached;
                if (current == null) {
                    current = new Cached(newLogitNetwork());
                    CLEANER.register(this, current);
                    cached = current;
                }
            }
        }
        return current.network;
    }

    @Override
    public Prediction<Label> predict(Example<Label> example) {
        return innerPredict(Collections.singletonList(example)).get(0);
    }

    @Override
    protected List<Prediction<Label>> innerPredict(Iterable<Example<Label>> examples) {
        return LabelPredictions.predict(examples, PREDICTION_BATCH_SIZE, tensorizer(),
                inference().networks().get(0).manager(), this::logits, outputIDInfo, featureIDMap);
    }

    @Override
    public Map<String, List<Pair<String, Double>>> getTopFeatures(int n) {
        return Collections.emptyMap();
    }

    @Override
    public Optional<Excuse<Label>> getExcuse(Example<Label> example) {
        return Optional.empty();
    }

    /** Owns the cached inference copy and frees its native memory when the model is collected. */
    private static final class Cached implements Runnable {
        private final LogitNetwork network;

        Cached(LogitNetwork network) {
            this.network = network;
        }

        @Override
        public void run() {
            network.close();
        }
    }
}
