package org.tribuoadapt.peft.randlora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.Parameter;

/**
 * The frozen random bases RandLoRA shares between the layers of one adapter, {@code randlora_A} {@code [r, 1, m]} and
 * {@code randlora_B} {@code [M, n, r]}, where {@code M} and {@code m} are the larger and smaller of the largest output
 * and input widths of the targets and {@code n = ceil(m / r)}; each layer uses a slice. They are regenerated from
 * {@code projection_prng_key} exactly as PEFT's {@code RandLoraModel} draws them, so a key stands for the matrices:
 * <ul>
 *     <li>dense (PEFT's default): {@code A} and then {@code n} blocks {@code [M, 1, r]} of {@code B}, each drawn
 *     kaiming-uniform ({@code a = sqrt 5}, so {@code U(-1/sqrt(fanIn), 1/sqrt(fanIn))}, fan-in {@code m} for {@code A}
 *     and {@code r} for a block) in bfloat16 from PyTorch's generator seeded with the key, then each divided by its
 *     standard deviation in bfloat16;</li>
 *     <li>{@code sparse} and {@code very_sparse} (Albert et al. 2025): {@code A} and {@code B} from
 *     {@code torch.rand}, mapped to -1, 0 and 1 with probabilities {@code 1/(2 s)}, {@code 1 - 1/s} and
 *     {@code 1/(2 s)} ({@code s = 3}, or {@code sqrt(m)} for very sparse), then divided by their standard deviation.</li>
 * </ul>
 * PyTorch's bfloat16 uniform sampler uses 8 random bits per value where the float sampler uses 24 of the same 32-bit
 * draw; DJL offers no bfloat16 tensors, so the 32-bit draws are read through a float {@code U(0, 1)} draw (exactly
 * {@code (draw & 0xFFFFFF) / 2^24}) and the bfloat16 arithmetic is reproduced in Java with round-to-nearest-even.
 */
final class RandomBases {

    private static final float TWO_POW_24 = 16777216f;

    private RandomBases() {}

    /**
     * Draws the bases.
     * @param manager Where they live.
     * @param rank The basis rank r.
     * @param largestOut The largest output width among the targets.
     * @param largestIn The largest input width among the targets.
     * @param key The generator seed, PEFT's {@code projection_prng_key}.
     * @param sparse Ternary bases with {@code s = 3}.
     * @param verySparse Ternary bases with {@code s = sqrt(m)} (wins over {@code sparse}, as in PEFT).
     * @return {@code randlora_A} and {@code randlora_B} as buffers.
     */
    static Parameter[] draw(NDManager manager, int rank, int largestOut, int largestIn, int key, boolean sparse,
                            boolean verySparse) {
        int large = Math.max(largestOut, largestIn);
        int small = Math.min(largestOut, largestIn);
        int bases = Math.floorDiv(small + rank - 1, rank);
        int countA = rank * small;
        int countB = large * bases * rank;
        float[] uniform = uniformDraws(manager, countA + countB, key);
        float[] a = new float[countA];
        float[] b = new float[countB];
        if (sparse || verySparse) {
            double s = verySparse ? Math.sqrt(small) : 3;
            float low = (float) (1 / (2 * s));
            float high = (float) (1 - 1 / (2 * s));
            for (int i = 0; i < countA; i++) {
                a[i] = ternary(uniform[i], low, high);
            }
            for (int i = 0; i < countB; i++) {
                b[i] = ternary(uniform[countA + i], low, high);
            }
            divide(a, (float) standardDeviation(a), false);
            divide(b, (float) standardDeviation(b), false);
        } else {
            for (int i = 0; i < countA; i++) {
                a[i] = kaimingBfloat16(uniform[i], small);
            }
            // n blocks [M, 1, r] concatenated on the second axis: B[i, j, q] is value i * r + q of block j
            for (int j = 0; j < bases; j++) {
                for (int i = 0; i < large; i++) {
                    for (int q = 0; q < rank; q++) {
                        b[(i * bases + j) * rank + q] = kaimingBfloat16(uniform[countA + (j * large + i) * rank + q], rank);
                    }
                }
            }
            divide(a, bfloat16((float) standardDeviation(a)), true);
            divide(b, bfloat16((float) standardDeviation(b)), true);
        }
        return new Parameter[] {buffer(manager, "randlora_A", new Shape(rank, 1, small), a),
                                buffer(manager, "randlora_B", new Shape(large, bases, rank), b)};
    }

    /** The generator's next {@code count} values of {@code U(0, 1)} in float32, which expose the low 24 bits of each draw. */
    private static float[] uniformDraws(NDManager manager, int count, int key) {
        DjlRuntime.seedNativeRandom(key);
        try (NDArray draws = manager.randomUniform(0f, 1f, new Shape(count), DataType.FLOAT32)) {
            return draws.toFloatArray();
        }
    }

    /**
     * PyTorch's bfloat16 {@code uniform_(-bound, bound)} with {@code bound = 1 / sqrt(fanIn)} (kaiming-uniform with
     * {@code a = sqrt 5}): the low 8 bits of the draw give {@code x = bits / 256}, and the value is
     * {@code bf16(x * bf16(to - from) + from)} with {@code from} and {@code to} rounded to bfloat16.
     */
    private static float kaimingBfloat16(float uniform24, int fanIn) {
        float bound = (float) (1 / Math.sqrt(fanIn));
        float from = bfloat16(-bound);
        float to = bfloat16(bound);
        float width = bfloat16(to - from);
        int bits = ((int) (uniform24 * TWO_POW_24)) & 0xFF;
        return bfloat16(bits / 256f * width + from);
    }

    private static float ternary(float u, float low, float high) {
        return u < low ? -1f : u > high ? 1f : 0f;
    }

    /** The unbiased standard deviation (PyTorch's {@code std()}), accumulated in double. */
    private static double standardDeviation(float[] values) {
        double mean = 0;
        for (float v : values) {
            mean += v;
        }
        mean /= values.length;
        double squares = 0;
        for (float v : values) {
            squares += (v - mean) * (v - mean);
        }
        return Math.sqrt(squares / (values.length - 1));
    }

    private static void divide(float[] values, float by, boolean toBfloat16) {
        for (int i = 0; i < values.length; i++) {
            float q = values[i] / by;
            values[i] = toBfloat16 ? bfloat16(q) : q;
        }
    }

    /**
     * Rounds a float to the nearest bfloat16 (ties to even), as PyTorch converts.
     * @param value The value.
     * @return The bfloat16 value, as a float.
     */
    static float bfloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        bits += 0x7FFF + ((bits >>> 16) & 1);
        return Float.intBitsToFloat(bits & 0xFFFF0000);
    }

    private static Parameter buffer(NDManager manager, String name, Shape shape, float[] values) {
        NDArray array = manager.create(values, shape);
        NDScope.unregister(array);
        return new Parameter(name, Parameter.Kind.BUFFER, array);
    }
}
