package org.tribuoadapt.tta.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import org.tribuoadapt.core.model.AbstractNetworkModel;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.LayerObserver;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.NetworkSnapshot;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.train.NetworkOptimiser;
import org.tribuoadapt.core.train.TrainingPlan;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The machinery of methods that train only normalisation layers (Tent, EATA, SAR, CAFA, Core): a private
 * copy of the network whose BatchNorm layers normalise with test-batch statistics (mixed with the source statistics
 * where the method asks for it, {@link NormAffineMethod#testStatisticsWeight()}), every weight frozen except
 * the norm layers' affine parameters, an optimiser from the method's {@code OptimiserFactory}, a snapshot of the
 * source weights for resets, and the episodic option (reset before every batch, Wang et al. 2021).
 */
public abstract class NormAffineSession implements AdaptationSession {

    /** The session's network. */
    protected final Network network;
    /** The parameters being adapted (norm-layer scales and shifts). */
    protected final List<Parameter> parameters;
    /** The number of classes. */
    protected final int numClasses;
    private final NormAffineMethod method;
    private final TrainingPlan plan;
    private final NetworkSnapshot snapshot;
    private NetworkOptimiser optimiser;
    private UnaryOperator<NDArray> logitTransform = UnaryOperator.identity();

    /**
     * Prepares the network.
     * @param model The source model.
     * @param method The method's settings.
     * @param context The run's context.
     */
    protected NormAffineSession(AbstractNetworkModel model, NormAffineMethod method, AdaptationContext context) {
        this.method = method;
        this.network = MethodRequirements.newNetwork(model, method.displayName());
        try {
            NormLayers.useBatchStatistics(network, method.testStatisticsWeight());
            this.parameters = method.adaptedParameters() == AdaptedParameters.NORM_AFFINE
                    ? NormLayers.trainAffineOnly(network, method.normLayersOf(network), method.displayName())
                    : trainAdapterOnly(network, model, method.displayName());
            this.snapshot = new NetworkSnapshot(network);
            this.plan = new TrainingPlan(network.countWeights(true), network.countWeights(false),
                    context.streamLength(), network.inputShape().size(), context.batchSize(), 1);
            this.optimiser = method.optimiser().create(parameters, plan);
            this.numClasses = Math.toIntExact(network.outputShape().get(0));
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
    }

    private static List<Parameter> trainAdapterOnly(Network network, AbstractNetworkModel model, String method) {
        Set<String> names = model.adapterParameters();
        if (names.isEmpty()) {
            throw new IllegalArgumentException(method + " adapts the model's adapter parameters, but '" + model.getName()
                    + "' has none (a PeftModel with an active, unmerged adapter has)");
        }
        network.freezeAll();
        List<Parameter> out = new ArrayList<>();
        for (String name : names) {
            Parameter p = network.parameters().get(name);
            p.setTrainable(true);
            out.add(p);
        }
        return out;
    }

    @Override
    public final float[] predict(float[] features, int n) {
        if (method.episodic()) {
            reset();
        }
        try (NDManager batch = network.manager().newSubManager(); NDScope ignored = new NDScope()) {
            NDArray logits = adapt(batch, NetworkInputs.batch(batch, network, features, n));
            try (GradientMode noGrad = GradientMode.disabled()) {
                return logits.stopGradient().softmax(1).toFloatArray();
            }
        }
    }

    /**
     * Predicts and adapts on one batch.
     * @param batch The batch's memory.
     * @param input The input tensor.
     * @return The logits of the prediction (for these methods, of the forward pass before the update).
     */
    protected abstract NDArray adapt(NDManager batch, NDArray input);

    /**
     * Makes every later forward pass transform the network's logits before the method's loss and prediction, so that
     * a method can run on a modulated model; the Label Shift Adapter (Park et al. 2023) modulates the classifier
     * this way. The transform must keep the logits on the gradient tape.
     * @param transform From the network's logits {@code [N, C]} to the logits the method uses, {@code [N, C]}.
     */
    public void transformLogits(UnaryOperator<NDArray> transform) {
        this.logitTransform = transform;
    }

    /**
     * Runs the network; BatchNorm layers use the batch's statistics.
     * @param batch The batch's memory.
     * @param input The input.
     * @return The logits.
     */
    protected final NDArray forward(NDManager batch, NDArray input) {
        return logitTransform.apply(network.forward(input, ForwardContext.inference(batch)));
    }

    /**
     * Runs the network and shows every layer's input and output to an observer (to read features on the tape).
     * @param batch The batch's memory.
     * @param input The input.
     * @param observer The observer.
     * @return The logits.
     */
    protected final NDArray forward(NDManager batch, NDArray input, LayerObserver observer) {
        return logitTransform.apply(network.forward(input, ForwardContext.inference(batch).withObserver(observer)));
    }

    /**
     * The Shannon entropy of each row's softmax, {@code -sum_c p_c log p_c}.
     * @param logits Logits {@code [N, C]}.
     * @return Entropies {@code [N]}.
     */
    protected static NDArray entropy(NDArray logits) {
        NDArray logP = logits.logSoftmax(1);
        return logP.exp().mul(logP).sum(new int[] {1}).neg();
    }

    /**
     * Applies the optimiser to the accumulated gradients, then clears them.
     */
    protected final void step() {
        optimiser.step();
        clearGradients();
    }

    /**
     * Clears the accumulated gradients of the adapted parameters.
     */
    protected final void clearGradients() {
        for (Parameter p : parameters) {
            GradientMode.zeroGradient(p.array());
        }
    }

    /**
     * The session's network with its current, adapted weights (to inspect which parameters a method changed).
     * @return The network; the session owns it.
     */
    public Network network() {
        return network;
    }

    @Override
    public final void reset() {
        snapshot.restore();
        optimiser.close();
        optimiser = method.optimiser().create(parameters, plan);
        resetState();
    }

    /**
     * Clears any method state besides the weights and the optimiser (running means, moving averages).
     */
    protected void resetState() {}

    @Override
    public void close() {
        optimiser.close();
        snapshot.close();
        network.close();
    }
}
