package org.tribuoadapt.peft.svfit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.factored.DiagonalFactorModule;
import org.tribuoadapt.peft.factored.DiagonalFactors;
import org.tribuoadapt.peft.linalg.SingularValueDecomposition;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One SVFit adapter at one layer (Sun et al. 2024): with {@code W0 = U_r diag(S_r) V_r^T + W_e} (the weight
 * flattened to {@code [out, fanIn]}), the adapted weight is {@code U_r diag(s) V_r^T + W_e}, that is
 * {@code W0 + U_r diag(s - S_r) V_r^T}, where only {@code s} (starting at {@code S_r}) trains. Tensors:
 * {@code svfit_S} (trained), {@code svfit_S_initial}, {@code svfit_U} {@code [out, r]} and {@code svfit_Vh}
 * {@code [r, fanIn]} (frozen).
 */
public final class SvfitModule extends DiagonalFactorModule {

    private final int rank;
    private final Parameter values;
    private final Parameter initial;
    private final DiagonalFactors factors;
    private final Map<String, Parameter> tensors = new LinkedHashMap<>();

    SvfitModule(TargetLayer target, NDManager manager, int rank) {
        super(target);
        int out = target.outFeatures();
        int fanIn = target.fanIn();
        checkRank("SVFit", target, rank);
        this.rank = rank;
        SingularValueDecomposition svd = SingularValueDecomposition.of(target.weight().toFloatArray(), out, fanIn);
        double[] top = Arrays.copyOf(svd.singularValues(), rank);
        this.values = addWeight(manager, "svfit_S", new Shape(rank));
        values.assign(toFloats(top));
        tensors.put("svfit_S", values);
        this.initial = buffer(manager, "svfit_S_initial", new Shape(rank), top);
        tensors.put("svfit_S_initial", initial);
        Parameter u = buffer(manager, "svfit_U", new Shape(out, rank), svd.leftVectors(rank));
        tensors.put("svfit_U", u);
        Parameter vh = buffer(manager, "svfit_Vh", new Shape(rank, fanIn), svd.rightVectorsTransposed(rank));
        tensors.put("svfit_Vh", vh);
        this.factors = new DiagonalFactors(target, u, vh);
    }

    @Override
    protected DiagonalFactors factors() {
        return factors;
    }

    @Override
    protected NDArray coefficients() {
        return values.array().sub(initial.array());
    }

    @Override
    public Map<String, Parameter> peftTensors() {
        return java.util.Collections.unmodifiableMap(tensors);
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public String describe() {
        return "SVFit(r=" + rank + ")";
    }
}
