package org.tribuoadapt.robust.smoothing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.model.AbstractNetworkModel;
import org.tribuoadapt.core.model.LogitNetwork;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.robust.attack.NetworkClassifier;

import java.util.ArrayList;
import java.util.List;

/**
 * An adaptive-smoothing classifier built from networks, differentiable end to end: private frozen copies of the
 * standard and robust networks, and either a fixed alpha or a mixing network that reads their intermediate features.
 * White-box attacks differentiate through all of it (the mixing network included), so they target the composite
 * model rather than one of its parts. Everything runs in inference mode.
 */
final class MixedNetworks implements LogitNetwork {

    private final LogitNetwork standard;
    private final LogitNetwork robust;
    private final Network mixer;
    private final boolean ownsMixer;
    private final MixingNetworkSpec spec;
    private final double alpha;
    private final double standardTemperature;
    private final double robustTemperature;
    private final int[] robustOrder;

    private MixedNetworks(AbstractNetworkModel standardModel, AbstractNetworkModel robustModel, Network mixer, boolean ownsMixer,
                          MixingNetworkSpec spec, double alpha, double standardTemperature, double robustTemperature) {
        int[] order = BaseModels.columnOrder(standardModel.getOutputIDInfo(), robustModel.getOutputIDInfo());
        this.robustOrder = BaseModels.isIdentity(order) ? null : order;
        this.standard = NetworkClassifier.of(standardModel);
        this.robust = NetworkClassifier.of(robustModel);
        this.mixer = mixer;
        this.ownsMixer = ownsMixer;
        this.spec = spec;
        this.alpha = alpha;
        this.standardTemperature = standardTemperature;
        this.robustTemperature = robustTemperature;
    }

    /**
     * A fixed-alpha mixture of two networks.
     * @param standard The standard model.
     * @param robust The robust model.
     * @param alpha The robust model's weight.
     * @param standardTemperature The standard model's logit scale.
     * @param robustTemperature The robust model's logit scale.
     * @return The classifier.
     */
    static MixedNetworks fixed(AbstractNetworkModel standard, AbstractNetworkModel robust, double alpha, double standardTemperature,
                               double robustTemperature) {
        return new MixedNetworks(standard, robust, null, false, null, alpha, standardTemperature, robustTemperature);
    }

    /**
     * A mixture whose alpha comes from a mixing network.
     * @param standard The standard model.
     * @param robust The robust model.
     * @param spec The mixing network's architecture.
     * @param mixer The mixing network.
     * @param ownsMixer Whether closing this classifier closes the mixing network (false while a trainer owns it).
     * @param standardTemperature The standard model's logit scale.
     * @param robustTemperature The robust model's logit scale.
     * @return The classifier.
     */
    static MixedNetworks mixing(NetworkModel standard, NetworkModel robust, MixingNetworkSpec spec, Network mixer,
                                boolean ownsMixer, double standardTemperature, double robustTemperature) {
        return new MixedNetworks(standard, robust, mixer, ownsMixer, spec, Double.NaN, standardTemperature,
                robustTemperature);
    }

    /**
     * The outputs of both bases and the mixing logit for a batch.
     *
     * @param standard The standard network's logits {@code [N, C]}.
     * @param robust The robust network's logits {@code [N, C]}, in the standard network's label order.
     * @param gamma The mixing logits {@code [N]}, or null for a fixed alpha.
     */
    record Parts(NDArray standard, NDArray robust, NDArray gamma) {}

    /**
     * Runs both bases and the mixing network in inference mode.
     * @param inputs The batch.
     * @return The parts of the mixture.
     */
    Parts parts(NDArray inputs) {
        return parts(inputs, false);
    }

    /**
     * Runs both bases (always in inference mode) and the mixing network, in training mode when asked (the
     * {@link MixingNetworkSpec.Variant#PAPER} variant then normalises gamma with batch statistics).
     * @param inputs The batch.
     * @param training Whether the mixing network runs a training pass.
     * @return The parts of the mixture.
     */
    Parts parts(NDArray inputs, boolean training) {
        NDManager manager = inputs.getManager();
        NDArray[] features = new NDArray[3];
        ForwardContext standardContext = ForwardContext.inference(manager);
        ForwardContext robustContext = ForwardContext.inference(manager);
        if (mixer != null) {
            standardContext = standardContext.withObserver((layer, in, out) -> {
                if (layer.path().equals(spec.standardLayer())) {
                    features[0] = out;
                }
            });
            robustContext = robustContext.withObserver((layer, in, out) -> {
                if (layer.path().equals(spec.robustLayer())) {
                    features[1] = out;
                } else if (!spec.robustSecondLayer().isEmpty() && layer.path().equals(spec.robustSecondLayer())) {
                    features[2] = out;
                }
            });
        }
        NDArray standardLogits = standard.logits(inputs, standardContext);
        NDArray robustLogits = robust.logits(inputs, robustContext);
        if (robustOrder != null) {
            NDArray index = manager.create(java.util.Arrays.stream(robustOrder).asLongStream().toArray())
                    .reshape(1, -1).broadcast(robustLogits.getShape());
            robustLogits = robustLogits.gather(index, 1);
        }
        if (mixer == null) {
            return new Parts(standardLogits, robustLogits, null);
        }
        ForwardContext mixerContext = training ? ForwardContext.training(manager) : ForwardContext.inference(manager);
        NDArray robustFeatures = features[2] == null ? features[1] : spec.mergeRobustLevels(features[1], features[2]);
        NDArray gamma = mixer.forward(spec.combine(features[0], robustFeatures), mixerContext).reshape(-1);
        return new Parts(standardLogits, robustLogits, spec.mixingLogit(gamma, training));
    }

    /**
     * Mixes the parts into log-probabilities.
     * @param parts The parts.
     * @return Log-probabilities {@code [N, C]}.
     */
    NDArray mix(Parts parts) {
        return parts.gamma() == null
                ? ProbabilityMixing.logMix(parts.standard(), parts.robust(), alpha, standardTemperature, robustTemperature)
                : ProbabilityMixing.logMix(parts.standard(), parts.robust(), parts.gamma(), standardTemperature,
                        robustTemperature);
    }

    @Override
    public Shape inputShape() {
        return standard.inputShape();
    }

    /**
     * The mixture's log-probabilities; the bases and the mixing network always run in inference mode, so only the
     * context's manager matters.
     * @param inputs The batch.
     * @param context The forward context.
     * @return Log-probabilities {@code [N, C]}.
     */
    @Override
    public NDArray logits(NDArray inputs, ForwardContext context) {
        return mix(parts(inputs));
    }

    @Override
    public List<Network> networks() {
        List<Network> all = new ArrayList<>(standard.networks());
        all.addAll(robust.networks());
        if (mixer != null) {
            all.add(mixer);
        }
        return all;
    }

    /**
     * The shapes of the observed features for one example, found with a forward pass of a zero input.
     * @param spec The mixing network spec naming the layers.
     * @param standardModel The standard model.
     * @param robustModel The robust model.
     * @return {standard shape, robust shape (both robust levels merged when the spec reads two)}.
     * @throws IllegalArgumentException if a named layer does not exist, listing the network's layers.
     */
    static Shape[] featureShapes(MixingNetworkSpec spec, NetworkModel standardModel, NetworkModel robustModel) {
        Shape[] shapes = new Shape[2];
        NDArray[] robustLevels = new NDArray[2];
        try (Network std = standardModel.newNetwork(); Network rob = robustModel.newNetwork();
             NDManager manager = std.manager().newSubManager(); NDScope ignored = new NDScope();
             GradientMode off = GradientMode.disabled()) {
            std.layer(spec.standardLayer());
            rob.layer(spec.robustLayer());
            if (!spec.robustSecondLayer().isEmpty()) {
                rob.layer(spec.robustSecondLayer());
            }
            NDArray zero = manager.zeros(new Shape(1).addAll(std.inputShape()));
            std.forward(zero, ForwardContext.inference(manager).withObserver((layer, in, out) -> {
                if (layer.path().equals(spec.standardLayer())) {
                    shapes[0] = out.getShape().slice(1);
                }
            }));
            rob.forward(zero, ForwardContext.inference(manager).withObserver((layer, in, out) -> {
                if (layer.path().equals(spec.robustLayer())) {
                    robustLevels[0] = out;
                } else if (!spec.robustSecondLayer().isEmpty() && layer.path().equals(spec.robustSecondLayer())) {
                    robustLevels[1] = out;
                }
            }));
            NDArray robustFeatures = robustLevels[1] == null ? robustLevels[0]
                    : spec.mergeRobustLevels(robustLevels[0], robustLevels[1]);
            shapes[1] = robustFeatures.getShape().slice(1);
        }
        return shapes;
    }

    @Override
    public void close() {
        standard.close();
        robust.close();
        if (ownsMixer && mixer != null) {
            mixer.close();
        }
    }
}
