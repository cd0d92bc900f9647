package org.tribuoadapt.peft.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.layers.Dropout;
import org.tribuoadapt.core.nn.TapeConstants;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.MergeBase;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.corda.CordaDecomposition;
import org.tribuoadapt.peft.linalg.SingularValueDecomposition;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One LoRA adapter at one Linear or Conv2d layer (PEFT's {@code lora.Linear} / {@code lora.Conv2d} entry): the
 * factors {@code lora_A} ({@code [r, in]}, or {@code [r, in, k, k]} convolved with the base stride and padding) and
 * {@code lora_B} ({@code [out, r]}, or a 1x1 convolution {@code [out, r, 1, 1]}), and with DoRA the magnitude
 * {@code lora_magnitude_vector} ({@code [out]}, or {@code [1, out, 1, 1]} for convolutions, as PEFT stores it).
 * <p>
 * The forward pass adds {@code s B(A(dropout(x)))} (Hu et al. 2021, eq. 3). With DoRA (Liu et al. 2024, eq. 5 and
 * section 4.3) it computes {@code (m / ||W0 + s B A||) (W0 x + s B A x) + b}, with the norm treated as a constant
 * for the gradient, as PEFT does.
 */
public final class LoraModule extends AdapterModule {

    private final int rank;
    private final double scaling;
    private final boolean dora;
    private final Parameter loraA;
    private final Parameter loraB;
    private final Parameter magnitude;
    private final Dropout dropout;
    private NDArray originalWeight;

    /**
     * Creates and initialises the module.
     * @param target The layer.
     * @param manager The network's memory.
     * @param rank The rank r.
     * @param scaling The scaling s.
     * @param dropoutRate Dropout on the adapter's input.
     * @param dora Use DoRA.
     * @param init The initialisation; PiSSA and CorDA replace the target's weight by the residual.
     * @param corda With CorDA, the decomposition of the target's weight; null otherwise.
     * @param rng The stream initial values are drawn from.
     */
    LoraModule(TargetLayer target, NDManager manager, int rank, double scaling, double dropoutRate, boolean dora,
               LoraInit init, CordaDecomposition corda, SplittableRandom rng) {
        super(target);
        this.rank = rank;
        this.scaling = scaling;
        this.dora = dora;
        int out = target.outFeatures();
        int k = target.kernelSize();
        Shape shapeA = target.isConv() ? new Shape(rank, target.inFeatures(), k, k) : new Shape(rank, target.inFeatures());
        Shape shapeB = target.isConv() ? new Shape(out, rank, 1, 1) : new Shape(out, rank);
        this.loraA = addWeight(manager, "lora_A", shapeA);
        this.loraB = addWeight(manager, "lora_B", shapeB);
        this.magnitude = dora ? addWeight(manager, "lora_magnitude_vector",
                target.isConv() ? new Shape(1, out, 1, 1) : new Shape(out)) : null;
        this.dropout = dropoutRate > 0 ? addChild("lora_dropout", new Dropout(dropoutRate)) : null;
        try (NDScope scope = new NDScope()) {
            initialise(init, corda, rng);
            if (dora) {
                magnitude.copyFrom(rowNorms(target.weight().array().add(delta())).reshape(magnitude.shape()));
            }
        }
    }

    /**
     * Creates a plain LoRA module with the default initialisation ({@code A} kaiming-uniform, {@code B = 0}),
     * without dropout or DoRA, for methods that train LoRA's factors differently (ALLoRA).
     * @param target The layer.
     * @param manager The network's memory.
     * @param rank The rank r.
     * @param scaling The scaling s.
     * @param rng The stream initial values are drawn from.
     * @return The module.
     */
    public static LoraModule plain(TargetLayer target, NDManager manager, int rank, double scaling, SplittableRandom rng) {
        return new LoraModule(target, manager, rank, scaling, 0.0, false, LoraInit.DEFAULT, null, rng);
    }

    private void initialise(LoraInit init, CordaDecomposition corda, SplittableRandom rng) {
        int countA = Math.toIntExact(loraA.size());
        int countB = Math.toIntExact(loraB.size());
        switch (init) {
            case DEFAULT:
                loraA.assign(Initializers.kaimingUniform(countA, target().fanIn(), rng));
                break;
            case GAUSSIAN:
                loraA.assign(Initializers.normal(countA, 1.0 / rank, rng));
                break;
            case RANDOM:
                loraA.assign(Initializers.kaimingUniform(countA, target().fanIn(), rng));
                loraB.assign(Initializers.kaimingUniform(countB, rank, rng));
                break;
            case PISSA:
                initialisePissa();
                break;
            case CORDA:
                // Yang et al. 2024, eq. 4: the chosen components become the factors, the others stay in the base
                loraA.assign(corda.factorA(scaling));
                loraB.assign(corda.factorB(scaling));
                replaceBaseByResidual();
                break;
            default:
                throw new IllegalStateException("unknown initialisation " + init);
        }
    }

    /** Meng et al. 2024, eq. 2-4: the principal singular triplets become the factors, the rest stays in the base. */
    private void initialisePissa() {
        TargetLayer target = target();
        int out = target.outFeatures();
        int fanIn = target.fanIn();
        if (rank > Math.min(out, fanIn)) {
            throw new IllegalArgumentException("PiSSA at '" + target.path() + "' needs rank <= min(out, in) = "
                    + Math.min(out, fanIn) + ", found rank " + rank);
        }
        SingularValueDecomposition svd = SingularValueDecomposition.of(target.weight().toFloatArray(), out, fanIn);
        double[] values = svd.singularValues();
        double[] u = svd.leftVectors(rank);
        double[] vt = svd.rightVectorsTransposed(rank);
        float[] a = new float[rank * fanIn];
        float[] b = new float[out * rank];
        for (int i = 0; i < rank; i++) {
            double root = Math.sqrt(values[i] / scaling);
            for (int j = 0; j < fanIn; j++) {
                a[i * fanIn + j] = (float) (root * vt[i * fanIn + j]);
            }
            for (int o = 0; o < out; o++) {
                b[o * rank + i] = (float) (u[o * rank + i] * root);
            }
        }
        loraA.assign(a);
        loraB.assign(b);
        replaceBaseByResidual();
    }

    /** Keeps the original weight for {@link #restoreTarget} and makes the target's weight {@code W0 - s B A}. */
    private void replaceBaseByResidual() {
        TargetLayer target = target();
        NDArray weight = target.weight().array();
        originalWeight = weight.duplicate();
        NDScope.unregister(originalWeight);
        target.weight().copyFrom(weight.sub(delta()));
    }

    /** {@code s B A} shaped like the target's weight. */
    private NDArray delta() {
        NDArray b = loraB.array().reshape(target().outFeatures(), rank);
        NDArray a = loraA.array().reshape(rank, target().fanIn());
        return TapeConstants.timesInPlace(target().unflatten(b.matMul(a)), scaling);
    }

    /** The L2 norm of each row (output feature) of a weight-shaped tensor, as a vector. */
    private NDArray rowNorms(NDArray weight) {
        return target().flatten(weight).norm(new int[] {1}, false);
    }

    @Override
    public NDArray adapt(NDArray input, NDArray baseOutput, NDArray output, ForwardContext context) {
        TargetLayer target = target();
        boolean dropping = dropout != null && context.isTraining();
        NDArray x = dropping ? dropout.apply(input, context) : input;
        NDArray lora = target.applyPointwise(target.apply(x, loraA.array(), null), loraB.array());
        if (!dora) {
            return output.add(TapeConstants.timesInPlace(lora, scaling));
        }
        NDArray norms = rowNorms(target.weight().array().add(delta().stopGradient())).stopGradient();
        NDArray scale = magnitude.array().reshape(norms.getShape()).div(norms).reshape(target.outputBroadcast(norms.size()));
        NDArray base;
        if (dropping) {
            base = target.apply(x, target.weight().array(), null);
        } else if (target.bias() == null) {
            base = baseOutput;
        } else {
            base = baseOutput.sub(target.bias().array().reshape(target.outputBroadcast(target.outFeatures())));
        }
        return output.add(scale.sub(1).mul(base)).add(TapeConstants.timesInPlace(scale.mul(lora), scaling));
    }

    @Override
    public void mergeIntoTarget() {
        mergeIntoTarget(MergeBase.of(target()));
    }

    /**
     * Adds {@code s B A}; with DoRA adds {@code (m / ||W0 + s B A|| - 1) W0' + (m / ||W0 + s B A||) s B A}, where
     * {@code W0'} computes the base output {@link #adapt} receives, which alone at the layer is
     * {@code (m / ||W0 + s B A||) (W0 + s B A)}; when an affine input transform before the layer (a ZeroI2V linear
     * adapter) moves the base output's bias from {@code b0} to {@code b0'}, DoRA also adds
     * {@code (m / ||W0 + s B A|| - 1) (b0' - b0)} to the bias.
     */
    @Override
    public void mergeIntoTarget(MergeBase base) {
        Parameter weight = target().weight();
        NDArray delta = delta();
        NDArray change = delta;
        if (dora) {
            NDArray norms = rowNorms(base.weight().add(delta));
            NDArray scale = magnitude.array().reshape(norms.getShape()).div(norms).reshape(target().rowBroadcast(norms.size()));
            change = scale.sub(1).mul(base.inputScaledWeight()).add(scale.mul(delta));
            Parameter bias = target().bias();
            if (bias != null) {
                // the base output without b0 also holds what an affine input transform adds to the bias
                NDArray shift = base.inputShiftedBias().sub(base.bias());
                bias.copyFrom(bias.array().add(scale.reshape(norms.size()).sub(1).mul(shift)));
            }
        }
        weight.copyFrom(weight.array().add(change));
    }

    @Override
    public Map<String, Parameter> peftTensors() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        out.put("lora_A.weight", loraA);
        out.put("lora_B.weight", loraB);
        if (dora) {
            out.put("lora_magnitude_vector", magnitude);
        }
        return out;
    }

    @Override
    public int rank() {
        return rank;
    }

    /** @return The scaling s. */
    public double scaling() {
        return scaling;
    }

    /** @return The factor A. */
    public Parameter loraA() {
        return loraA;
    }

    /** @return The factor B. */
    public Parameter loraB() {
        return loraB;
    }

    /** @return True for DoRA. */
    public boolean isDora() {
        return dora;
    }

    @Override
    public void restoreTarget() {
        if (originalWeight != null) {
            target().weight().copyFrom(originalWeight);
            originalWeight.close();
            originalWeight = null;
        }
    }

    @Override
    public String describe() {
        return "Lora" + (dora ? "(DoRA" : "(") + ", r=" + rank + ", scaling=" + scaling + ")";
    }
}
