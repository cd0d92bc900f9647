package org.tribuoadapt.peft.loldu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.factored.DiagonalFactorModule;
import org.tribuoadapt.peft.factored.DiagonalFactors;
import org.tribuoadapt.peft.linalg.PivotedLuDecomposition;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One LoLDU adapter at one layer (Shi et al. 2024): the weight flattened to {@code [out, fanIn]} is
 * decomposed as {@code W0 = P L D U} (pivoted LU with {@code U} made unit-diagonal), the first r factors are kept, and
 * {@code W = W_res + s P L_r diag(z) U_r} with {@code W_res = W0 - s0 P L_r diag(z0) U_r}, {@code z0} the first r
 * pivots and {@code s0 = alpha / r}. Only {@code z} and the scalar {@code s} train, starting at {@code z0} and
 * {@code s0}, so the update is {@code P L_r diag(s z - s0 z0) U_r}. Tensors: {@code loldu_z} and {@code loldu_scaling}
 * (trained), {@code loldu_z_initial}, {@code loldu_scaling_initial}, {@code loldu_L} ({@code P L_r}, {@code [out, r]})
 * and {@code loldu_U} ({@code U_r}, {@code [r, fanIn]}) (frozen).
 */
public final class LolduModule extends DiagonalFactorModule {

    private final int rank;
    private final Parameter diagonal;
    private final Parameter scaling;
    private final Parameter initialDiagonal;
    private final Parameter initialScaling;
    private final DiagonalFactors factors;
    private final Map<String, Parameter> tensors = new LinkedHashMap<>();

    LolduModule(TargetLayer target, NDManager manager, int rank, double alpha) {
        super(target);
        int out = target.outFeatures();
        int fanIn = target.fanIn();
        checkRank("LoLDU", target, rank);
        this.rank = rank;
        PivotedLuDecomposition lu = PivotedLuDecomposition.of(target.weight().toFloatArray(), out, fanIn);
        double[] pivots = lu.pivots();
        double[] upper = lu.upper(rank);
        for (int i = 0; i < rank; i++) {
            if (pivots[i] == 0) {
                throw new IllegalArgumentException("LoLDU at '" + target.path() + "': pivot " + i + " of the weight's LU "
                        + "decomposition is 0 (its rank is below " + rank + "); use a rank of at most " + i);
            }
            for (int c = 0; c < fanIn; c++) {
                upper[i * fanIn + c] /= pivots[i];
            }
        }
        double[] z0 = java.util.Arrays.copyOf(pivots, rank);
        double s0 = alpha / rank;
        this.diagonal = addWeight(manager, "loldu_z", new Shape(rank));
        diagonal.assign(toFloats(z0));
        tensors.put("loldu_z", diagonal);
        this.scaling = addWeight(manager, "loldu_scaling", new Shape(1));
        scaling.assign(new float[] {(float) s0});
        tensors.put("loldu_scaling", scaling);
        this.initialDiagonal = buffer(manager, "loldu_z_initial", new Shape(rank), z0);
        tensors.put("loldu_z_initial", initialDiagonal);
        this.initialScaling = buffer(manager, "loldu_scaling_initial", new Shape(1), new double[] {s0});
        tensors.put("loldu_scaling_initial", initialScaling);
        Parameter lower = buffer(manager, "loldu_L", new Shape(out, rank), lu.permutedLower(rank));
        tensors.put("loldu_L", lower);
        Parameter right = buffer(manager, "loldu_U", new Shape(rank, fanIn), upper);
        tensors.put("loldu_U", right);
        this.factors = new DiagonalFactors(target, lower, right);
    }

    @Override
    protected DiagonalFactors factors() {
        return factors;
    }

    @Override
    protected NDArray coefficients() {
        return diagonal.array().mul(scaling.array()).sub(initialDiagonal.array().mul(initialScaling.array()));
    }

    @Override
    public Map<String, Parameter> peftTensors() {
        return Collections.unmodifiableMap(tensors);
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public String describe() {
        return "LoLDU(r=" + rank + ")";
    }
}
