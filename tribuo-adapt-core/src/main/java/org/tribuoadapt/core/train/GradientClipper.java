package org.tribuoadapt.core.train;

import ai.djl.ndarray.NDArray;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Parameter;

import java.util.List;

/**
 * Rescales gradients so that their global L2 norm is at most a limit (Pascanu et al. 2013), as PyTorch's
 * {@code clip_grad_norm_}: every gradient is multiplied by {@code min(1, maxNorm / (norm + 1e-6))}.
 */
public final class GradientClipper {

    private GradientClipper() {}

    /**
     * Clips the gradients of {@code parameters} in place.
     * @param parameters The parameters.
     * @param maxNorm The largest allowed global norm.
     * @return The global norm before clipping.
     */
    public static double clip(List<Parameter> parameters, double maxNorm) {
        try (GradientMode ignored = GradientMode.disabled()) {
            double sumOfSquares = 0;
            NDArray[] gradients = new NDArray[parameters.size()];
            for (int i = 0; i < gradients.length; i++) {
                gradients[i] = parameters.get(i).array().getGradient();
                sumOfSquares += gradients[i].square().sum().getFloat();
            }
            double norm = Math.sqrt(sumOfSquares);
            double coefficient = maxNorm / (norm + 1e-6);
            if (coefficient < 1) {
                for (NDArray g : gradients) {
                    g.muli(coefficient);
                }
            }
            return norm;
        }
    }
}
