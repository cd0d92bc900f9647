package org.tribuoadapt.peft.diffusekrona;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.TapeConstants;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.lokr.LoKrModule;
import org.tribuoadapt.peft.lycoris.LycorisModule;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One DiffuseKronA adapter at one layer (Marjit et al. 2024): {@code dW = s (A ⊗ B)} with {@code krona_A}
 * {@code [a1, a2]} and {@code krona_B} {@code [b1, b2]} ({@code [b1, b2, k, k]} on a convolution), where
 * {@code a1 b1 = out} and {@code a2 b2 = in}. As in the authors' code, {@code A} starts from {@code N(0, 1/a1^2)} and
 * {@code B} at zero. It shares LoKr's Kronecker product and its LyCORIS update machinery, without dropouts. Its
 * {@link #rank()} is the largest rank the update can reach, {@code rank(A ⊗ B) <= min(a1, a2) min(b1, b2)}.
 */
public final class DiffuseKronAModule extends LycorisModule {

    private final double scale;
    private final Parameter left;
    private final Parameter right;

    DiffuseKronAModule(TargetLayer target, NDManager manager, int a1, int a2, double scale, SplittableRandom rng) {
        super(target, Math.min(a1, a2) * Math.min(target.outFeatures() / a1, target.inFeatures() / a2), 0.0, false, 0.0);
        this.scale = scale;
        int b1 = target.outFeatures() / a1;
        int b2 = target.inFeatures() / a2;
        int k = target.kernelSize();
        this.left = addWeight(manager, "krona_A", new Shape(a1, a2));
        this.right = addWeight(manager, "krona_B", target.isConv() ? new Shape(b1, b2, k, k) : new Shape(b1, b2));
        left.assign(Initializers.normal(a1 * a2, 1.0 / a1, rng));
    }

    @Override
    protected NDArray update() {
        return TapeConstants.timesInPlace(LoKrModule.kron(left.array(), right.array()), scale);
    }

    @Override
    public Map<String, Parameter> peftTensors() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        out.put("krona_A", left);
        out.put("krona_B", right);
        return out;
    }

    @Override
    public String describe() {
        return "DiffuseKronA(A " + left.shape() + ", B " + right.shape() + ", scale=" + scale + ")";
    }
}
