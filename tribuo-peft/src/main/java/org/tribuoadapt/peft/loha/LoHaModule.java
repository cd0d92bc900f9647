package org.tribuoadapt.peft.loha;

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
 * One LoHa adapter at one layer (PEFT's {@code loha} entries {@code hada_w1_a}, {@code hada_w1_b},
 * {@code hada_w2_a}, {@code hada_w2_b} and, with the CP decomposition, {@code hada_t1}, {@code hada_t2}):
 * {@code dW = (W1a W1b) ⊙ (W2a W2b) * scaling}. Shapes follow PEFT: {@code W1a [out, r]}, {@code W1b [r, in k k]}, or
 * with cores {@code t [r, r, k, k]}, {@code Wa [r, out]}, {@code Wb [r, in]}.
 */
public final class LoHaModule extends LycorisModule {

    private final double scaling;
    private final Parameter w1a;
    private final Parameter w1b;
    private final Parameter w2a;
    private final Parameter w2b;
    private final Parameter t1;
    private final Parameter t2;

    LoHaModule(TargetLayer target, NDManager manager, int rank, double scaling, double rankDropout, double moduleDropout,
               boolean cp, boolean initWeights, SplittableRandom rng) {
        super(target, rank, rankDropout, true, moduleDropout);
        this.scaling = scaling;
        int out = target.outFeatures();
        if (cp) {
            int k = target.kernelSize();
            this.t1 = addWeight(manager, "hada_t1", new Shape(rank, rank, k, k));
            this.w1a = addWeight(manager, "hada_w1_a", new Shape(rank, out));
            this.w1b = addWeight(manager, "hada_w1_b", new Shape(rank, target.inFeatures()));
            this.t2 = addWeight(manager, "hada_t2", new Shape(rank, rank, k, k));
            this.w2a = addWeight(manager, "hada_w2_a", new Shape(rank, out));
            this.w2b = addWeight(manager, "hada_w2_b", new Shape(rank, target.inFeatures()));
        } else {
            this.t1 = null;
            this.t2 = null;
            this.w1a = addWeight(manager, "hada_w1_a", new Shape(out, rank));
            this.w1b = addWeight(manager, "hada_w1_b", new Shape(rank, target.fanIn()));
            this.w2a = addWeight(manager, "hada_w2_a", new Shape(out, rank));
            this.w2b = addWeight(manager, "hada_w2_b", new Shape(rank, target.fanIn()));
        }
        for (Parameter p : peftTensors().values()) {
            if (p != w2b || !initWeights) {
                p.assign(Initializers.kaimingUniform(Math.toIntExact(p.size()), p.size() / p.shape().get(0), rng));
            }
        }
    }

    @Override
    protected NDArray update() {
        NDArray first;
        NDArray second;
        if (t1 != null) {
            first = CpDecomposition.rebuild(t1.array(), w1a.array(), w1b.array());
            second = CpDecomposition.rebuild(t2.array(), w2a.array(), w2b.array());
        } else {
            first = w1a.array().matMul(w1b.array());
            second = w2a.array().matMul(w2b.array());
        }
        return target().unflatten(TapeConstants.timesInPlace(first.mul(second), scaling).reshape(target().outFeatures(), target().fanIn()));
    }

    @Override
    public Map<String, Parameter> peftTensors() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        out.put("hada_w1_a", w1a);
        out.put("hada_w1_b", w1b);
        out.put("hada_w2_a", w2a);
        out.put("hada_w2_b", w2b);
        if (t1 != null) {
            out.put("hada_t1", t1);
            out.put("hada_t2", t2);
        }
        return out;
    }

    @Override
    public String describe() {
        return "LoHa(r=" + rank() + (t1 != null ? ", cp" : "") + ", scaling=" + scaling + ")";
    }
}
