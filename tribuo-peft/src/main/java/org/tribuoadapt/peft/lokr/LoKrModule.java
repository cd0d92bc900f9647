package org.tribuoadapt.peft.lokr;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.TapeConstants;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.lycoris.CpDecomposition;
import org.tribuoadapt.peft.lycoris.LycorisModule;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One LoKr adapter at one layer (PEFT's {@code lokr_w1} or {@code lokr_w1_a}/{@code lokr_w1_b}, and {@code lokr_w2}
 * or {@code lokr_w2_a}/{@code lokr_w2_b}, with {@code lokr_t2} for the CP decomposition), with PEFT's shapes: the
 * output dimension is {@code a * b} and the input {@code c * d}; {@code W1} is {@code [a, c]} and {@code W2}
 * {@code [b, d]} (times the kernel for convolutions), and {@code dW = kron(W1, W2) * scaling}.
 */
public final class LoKrModule extends LycorisModule {

    private final double scaling;
    private final Map<String, Parameter> tensors = new LinkedHashMap<>();

    LoKrModule(TargetLayer target, NDManager manager, int rank, double scaling, double rankDropout, boolean rescale,
               double moduleDropout, int[] outFactors, int[] inFactors, boolean decomposeBoth, boolean cp, LoKrInit init,
               SplittableRandom rng) {
        super(target, rank, rankDropout, rescale, moduleDropout);
        this.scaling = scaling;
        int a = outFactors[0];
        int b = outFactors[1];
        int c = inFactors[0];
        int d = inFactors[1];
        int k = target.kernelSize();
        boolean fullW1 = !(decomposeBoth && rank < Math.max(a, c) / 2.0);
        boolean fullW2 = !(rank < Math.max(b, d) / 2.0);
        if (fullW1) {
            add(manager, "lokr_w1", new Shape(a, c));
        } else {
            add(manager, "lokr_w1_a", new Shape(a, rank));
            add(manager, "lokr_w1_b", new Shape(rank, c));
        }
        if (fullW2) {
            add(manager, "lokr_w2", target.isConv() ? new Shape(b, d, k, k) : new Shape(b, d));
        } else if (cp) {
            add(manager, "lokr_t2", new Shape(rank, rank, k, k));
            add(manager, "lokr_w2_a", new Shape(rank, b));
            add(manager, "lokr_w2_b", new Shape(rank, d));
        } else {
            add(manager, "lokr_w2_a", new Shape(b, rank));
            add(manager, "lokr_w2_b", new Shape(rank, d * k * k));
        }
        String zero = init == LoKrInit.DEFAULT ? (fullW1 ? "lokr_w1" : "lokr_w1_a")
                : init == LoKrInit.LYCORIS ? (fullW2 ? "lokr_w2" : "lokr_w2_b") : null;
        for (Map.Entry<String, Parameter> e : tensors.entrySet()) {
            Parameter p = e.getValue();
            if (!e.getKey().equals(zero)) {
                p.assign(Initializers.kaimingUniform(Math.toIntExact(p.size()), p.size() / p.shape().get(0), rng));
            }
        }
    }

    private void add(NDManager manager, String name, Shape shape) {
        tensors.put(name, addWeight(manager, name, shape));
    }

    private NDArray factor(String full, String left, String right) {
        Parameter whole = tensors.get(full);
        if (whole != null) {
            return whole.array();
        }
        Parameter core = tensors.get("lokr_t2");
        if (core != null && full.equals("lokr_w2")) {
            return CpDecomposition.rebuild(core.array(), tensors.get(left).array(), tensors.get(right).array());
        }
        return tensors.get(left).array().matMul(tensors.get(right).array());
    }

    @Override
    protected NDArray update() {
        NDArray w1 = factor("lokr_w1", "lokr_w1_a", "lokr_w1_b");
        NDArray w2 = factor("lokr_w2", "lokr_w2_a", "lokr_w2_b");
        return target().unflatten(TapeConstants.timesInPlace(kron(w1, w2), scaling).reshape(target().outFeatures(), target().fanIn()));
    }

    /**
     * The Kronecker product of a matrix {@code [p, q]} with a matrix {@code [r, s]} or a kernel {@code [r, s, kh, kw]}
     * (PEFT's {@code make_kron}: the matrix is treated as {@code [p, q, 1, 1]}); DiffuseKronA's update uses it too.
     * @param left The matrix {@code [p, q]}.
     * @param right The matrix {@code [r, s]} or kernel {@code [r, s, kh, kw]}.
     * @return The product {@code [p r, q s]} or {@code [p r, q s, kh, kw]}.
     */
    public static NDArray kron(NDArray left, NDArray right) {
        long p = left.getShape().get(0);
        long q = left.getShape().get(1);
        long r = right.getShape().get(0);
        long s = right.getShape().get(1);
        long rest = right.getShape().size() / (r * s);
        NDArray product = left.reshape(p, 1, q, 1, 1).mul(right.reshape(1, r, 1, s, rest));
        long[] dims = right.getShape().getShape().clone();
        dims[0] = p * r;
        dims[1] = q * s;
        return product.reshape(new Shape(dims));
    }

    @Override
    public Map<String, Parameter> peftTensors() {
        return java.util.Collections.unmodifiableMap(tensors);
    }

    @Override
    public String describe() {
        return "LoKr(r=" + rank() + ", " + tensors.keySet() + ", scaling=" + scaling + ")";
    }
}
