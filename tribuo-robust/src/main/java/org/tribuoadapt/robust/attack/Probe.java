package org.tribuoadapt.robust.attack;

import ai.djl.ndarray.NDArray;
import org.tribuoadapt.core.model.LogitNetwork;
import org.tribuoadapt.core.nn.GradientMode;

/**
 * What an attack learns by querying a differentiable classifier at a batch of points: each example's loss, whether
 * it is misclassified there, and (optionally) the gradient of the loss in the input. Only the input receives a
 * gradient; every other array of the pass is freed before this returns.
 *
 * @param loss Per-example losses {@code [N]}.
 * @param wrong Whether each example is misclassified, boolean {@code [N]}.
 * @param gradient Input gradients {@code [N, ...]}, or null when not asked for.
 */
public record Probe(NDArray loss, NDArray wrong, NDArray gradient) implements AutoCloseable {

    /**
     * Queries the classifier.
     * @param classifier The classifier.
     * @param point The inputs.
     * @param labels The true labels {@code [N]} (int64).
     * @param objective The loss.
     * @param withGradient Whether to compute the input gradient.
     * @return The probe; its arrays belong to the caller's scope.
     */
    public static Probe at(LogitNetwork classifier, NDArray point, NDArray labels, AttackLoss objective,
                    boolean withGradient) {
        try (StepScope step = new StepScope()) {
            NDArray logits;
            NDArray loss;
            NDArray gradient = null;
            if (withGradient) {
                NDArray input = point.duplicate();
                input.setRequiresGradient(true);
                try (GradientMode recording = GradientMode.enabled()) {
                    logits = classifier.logits(input);
                    loss = objective.perExample(logits, labels);
                    GradientMode.backward(loss.sum());
                }
                gradient = step.keep(input.getGradient().duplicate());
            } else {
                try (GradientMode off = GradientMode.disabled()) {
                    logits = classifier.logits(point);
                    loss = objective.perExample(logits, labels);
                }
            }
            try (GradientMode off = GradientMode.disabled()) {
                NDArray wrong = step.keep(logits.argMax(1).neq(labels));
                return new Probe(step.keep(loss.stopGradient().duplicate()), wrong, gradient);
            }
        }
    }

    /**
     * Frees the probe's arrays.
     */
    @Override
    public void close() {
        loss.close();
        wrong.close();
        if (gradient != null) {
            gradient.close();
        }
    }
}
