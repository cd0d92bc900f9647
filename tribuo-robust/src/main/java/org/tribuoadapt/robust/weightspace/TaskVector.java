package org.tribuoadapt.robust.weightspace;

import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.DoubleProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import org.tribuo.provenance.ModelProvenance;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.safetensors.TensorData;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A task vector (Ilharco et al. 2023, "Editing Models with Task Arithmetic"): the plain difference
 * {@code tau = theta_tuned - theta_base} between the weights of a model fine-tuned for some property (a task,
 * robustness to a corruption) and the model it started from. Task vectors are immutable values that are scaled, added,
 * negated and restricted to some layers, and applied to any model of the same architecture:
 * {@code theta = theta_base + sum_k lambda_k tau_k}. Adding a negated vector removes the property.
 * <p>
 * Nothing is projected out of a task vector; the robust weight signatures of Cai et al. (2023), which remove the
 * component along the clean model's own fine-tuning direction and keep only the shallow layers, are
 * {@link WeightSignature}s.
 * <p>
 * Floating-point tensors (weights and BatchNorm statistics) take part; integer buffers keep the base's values. A
 * task vector remembers the models it came from and every operation applied, and the models it produces name them in
 * their provenance.
 */
public final class TaskVector {

    /** Run-provenance key of the arithmetic that produced a model. */
    public static final String EXPRESSION = "weight-arithmetic";
    /** Run-provenance key of the model the task vectors were applied to. */
    public static final String BASE = "weight-arithmetic-base";
    /** Run-provenance key prefix of each term of the arithmetic: {@code weight-arithmetic-term-0-...}. */
    public static final String TERM = "weight-arithmetic-term-";

    /**
     * One extracted difference inside a task vector, with the coefficient and layer restrictions applied since.
     *
     * @param coefficient The factor on {@code tuned - origin}.
     * @param tuned The fine-tuned model's provenance.
     * @param tunedSha256 The fine-tuned model's weight hash.
     * @param origin The starting model's provenance.
     * @param originSha256 The starting model's weight hash.
     * @param restrictions The layer-prefix lists applied, in order; a tensor takes part if it matches each.
     */
    private record Term(double coefficient, ModelProvenance tuned, String tunedSha256, ModelProvenance origin,
                        String originSha256, List<List<String>> restrictions) {

        Term scaled(double factor) {
            return new Term(coefficient * factor, tuned, tunedSha256, origin, originSha256, restrictions);
        }

        Term restricted(List<String> layers) {
            List<List<String>> all = new ArrayList<>(restrictions);
            all.add(List.copyOf(layers));
            return new Term(coefficient, tuned, tunedSha256, origin, originSha256, List.copyOf(all));
        }

        String expression() {
            String inner = "(" + shortHash(tunedSha256) + " - " + shortHash(originSha256) + ")";
            for (List<String> r : restrictions) {
                inner = "restrict" + r + inner;
            }
            return coefficient + " * " + inner;
        }

        /** Adds this term's entries; each model's provenance is its own entry, as OLCUT marshals it there. */
        void describe(String prefix, Map<String, Provenance> out) {
            out.put(prefix + "coefficient", new DoubleProvenance(prefix + "coefficient", coefficient));
            out.put(prefix + "tuned-model", tuned);
            out.put(prefix + "tuned-weights-sha256", new StringProvenance(prefix + "tuned-weights-sha256", tunedSha256));
            out.put(prefix + "origin-model", origin);
            out.put(prefix + "origin-weights-sha256", new StringProvenance(prefix + "origin-weights-sha256", originSha256));
            List<StringProvenance> layers = new ArrayList<>();
            for (List<String> r : restrictions) {
                layers.add(new StringProvenance("restriction", String.join(",", r)));
            }
            out.put(prefix + "restrictions", new ListProvenance<>(layers));
        }

        private static String shortHash(String hash) {
            return hash.substring(0, Math.min(12, hash.length()));
        }
    }

    private final Map<String, TensorData> deltas;
    private final List<Term> terms;

    private TaskVector(Map<String, TensorData> deltas, List<Term> terms) {
        this.deltas = Collections.unmodifiableMap(deltas);
        this.terms = List.copyOf(terms);
    }

    /**
     * Extracts {@code tau = theta_tuned - theta_origin}.
     * @param origin The model fine-tuning started from.
     * @param tuned The fine-tuned model.
     * @return The task vector.
     * @throws IllegalArgumentException if the architectures differ.
     */
    public static TaskVector extract(NetworkModel origin, NetworkModel tuned) {
        WeightModels.checkSameArchitecture(origin, tuned, "the fine-tuned model");
        Map<String, TensorData> base = origin.stateDict();
        Map<String, TensorData> delta = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : tuned.stateDict().entrySet()) {
            if (e.getValue().dtype().isFloatingPoint()) {
                float[] after = e.getValue().toFloatArray();
                float[] before = base.get(e.getKey()).toFloatArray();
                float[] diff = new float[after.length];
                for (int i = 0; i < diff.length; i++) {
                    diff[i] = after[i] - before[i];
                }
                delta.put(e.getKey(), TensorData.ofFloats(e.getValue().shape(), diff));
            }
        }
        Term term = new Term(1.0, tuned.getProvenance(), NetworkProvenance.sha256(tuned.weightBytes()),
                origin.getProvenance(), NetworkProvenance.sha256(origin.weightBytes()), List.of());
        return new TaskVector(delta, List.of(term));
    }

    /**
     * The tensors of the task vector, by PyTorch name.
     * @return An unmodifiable map.
     */
    public Map<String, TensorData> tensors() {
        return deltas;
    }

    /**
     * The Euclidean norm of the whole task vector.
     * @return {@code ||tau||_2}.
     */
    public double norm() {
        double squares = 0;
        for (TensorData t : deltas.values()) {
            for (float v : t.toFloatArray()) {
                squares += (double) v * v;
            }
        }
        return Math.sqrt(squares);
    }

    /**
     * The arithmetic this task vector stands for, e.g. {@code 0.5 * restrict[conv1](AB12... - CD34...)}.
     * @return A readable expression over weight hashes.
     */
    public String expression() {
        List<String> parts = new ArrayList<>();
        for (Term t : terms) {
            parts.add(t.expression());
        }
        return String.join(" + ", parts);
    }

    /**
     * Multiplies the task vector by {@code lambda}.
     * @param lambda The factor.
     * @return {@code lambda * tau}.
     * @throws IllegalArgumentException if lambda is not finite.
     */
    public TaskVector scale(double lambda) {
        if (!Double.isFinite(lambda)) {
            throw new IllegalArgumentException("the scale must be finite, found " + lambda);
        }
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : deltas.entrySet()) {
            float[] v = e.getValue().toFloatArray();
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (v[i] * lambda);
            }
            out.put(e.getKey(), TensorData.ofFloats(e.getValue().shape(), v));
        }
        List<Term> scaled = new ArrayList<>();
        for (Term t : terms) {
            scaled.add(t.scaled(lambda));
        }
        return new TaskVector(out, scaled);
    }

    /**
     * The negated task vector, which removes the property when added.
     * @return {@code -tau}.
     */
    public TaskVector negate() {
        return scale(-1);
    }

    /**
     * Adds another task vector of the same architecture.
     * @param other The other task vector.
     * @return {@code tau + other}.
     * @throws IllegalArgumentException if a shared tensor has another shape.
     */
    public TaskVector add(TaskVector other) {
        Map<String, TensorData> out = new LinkedHashMap<>(deltas);
        for (Map.Entry<String, TensorData> e : other.deltas.entrySet()) {
            TensorData mine = out.get(e.getKey());
            if (mine == null) {
                out.put(e.getKey(), e.getValue());
                continue;
            }
            checkShape(e.getKey(), mine.shape(), e.getValue().shape());
            float[] a = mine.toFloatArray();
            float[] b = e.getValue().toFloatArray();
            for (int i = 0; i < a.length; i++) {
                a[i] += b[i];
            }
            out.put(e.getKey(), TensorData.ofFloats(mine.shape(), a));
        }
        List<Term> all = new ArrayList<>(terms);
        all.addAll(other.terms);
        return new TaskVector(out, all);
    }

    /**
     * Keeps only the tensors of the given layers and their sublayers (robustness to corruptions lives mostly
     * in the shallow layers).
     * @param layers Layer names, e.g. {@code conv1}, {@code bn1}.
     * @return The restricted task vector.
     * @throws IllegalArgumentException if no tensor belongs to the layers, listing the tensors.
     */
    public TaskVector restrictTo(List<String> layers) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : deltas.entrySet()) {
            for (String layer : layers) {
                if (e.getKey().startsWith(layer + ".")) {
                    out.put(e.getKey(), e.getValue());
                    break;
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no tensor of the task vector belongs to the layers " + layers
                    + "; its tensors are " + deltas.keySet());
        }
        List<Term> restricted = new ArrayList<>();
        for (Term t : terms) {
            restricted.add(t.restricted(layers));
        }
        return new TaskVector(out, restricted);
    }

    /**
     * Adds this task vector to a model's weights: {@code theta = theta_base + tau}.
     * @param base A model of the task vector's architecture.
     * @return The new model; its provenance names the base, every term and the arithmetic.
     * @throws IllegalArgumentException if the base lacks a tensor of the task vector or has another shape.
     */
    public NetworkModel applyTo(NetworkModel base) {
        Map<String, TensorData> weights = new LinkedHashMap<>(base.stateDict());
        for (Map.Entry<String, TensorData> e : deltas.entrySet()) {
            TensorData current = weights.get(e.getKey());
            if (current == null) {
                throw new IllegalArgumentException("the base model has no parameter '" + e.getKey()
                        + "'; its parameters are " + weights.keySet());
            }
            checkShape(e.getKey(), current.shape(), e.getValue().shape());
            float[] v = current.toFloatArray();
            float[] d = e.getValue().toFloatArray();
            for (int i = 0; i < v.length; i++) {
                v[i] += d[i];
            }
            weights.put(e.getKey(), TensorData.ofFloats(current.shape(), v));
        }
        Map<String, Provenance> instance = new LinkedHashMap<>();
        instance.put(EXPRESSION, new StringProvenance(EXPRESSION, "theta(" + NetworkProvenance.sha256(base.weightBytes())
                .substring(0, 12) + ") + " + expression()));
        instance.put(BASE, base.getProvenance());
        for (int k = 0; k < terms.size(); k++) {
            terms.get(k).describe(TERM + k + "-", instance);
        }
        return WeightModels.build(base, weights, "weight-arithmetic-model", base.getProvenance().getDatasetProvenance(),
                instance);
    }

    /**
     * Removes this task vector from a model: {@code theta = theta_base - tau}.
     * @param base The model.
     * @return The new model.
     */
    public NetworkModel removeFrom(NetworkModel base) {
        return negate().applyTo(base);
    }

    /**
     * Composes several task vectors onto a model: {@code theta = theta_clean + sum_k lambda_k tau_k}.
     * @param clean The clean model.
     * @param vectors The task vectors.
     * @param lambdas One coefficient per task vector.
     * @return The composed model.
     * @throws IllegalArgumentException if the counts differ or there is no task vector.
     */
    public static NetworkModel compose(NetworkModel clean, List<TaskVector> vectors, double[] lambdas) {
        if (vectors.isEmpty() || vectors.size() != lambdas.length) {
            throw new IllegalArgumentException("compose needs one lambda per task vector and at least one task vector, found "
                    + vectors.size() + " task vectors and " + lambdas.length + " lambdas");
        }
        TaskVector sum = vectors.get(0).scale(lambdas[0]);
        for (int k = 1; k < vectors.size(); k++) {
            sum = sum.add(vectors.get(k).scale(lambdas[k]));
        }
        return sum.applyTo(clean);
    }

    private static void checkShape(String name, long[] expected, long[] found) {
        if (!Arrays.equals(expected, found)) {
            throw new IllegalArgumentException("tensor '" + name + "' has shape " + Arrays.toString(found)
                    + " but the model's parameter has shape " + Arrays.toString(expected));
        }
    }

    @Override
    public String toString() {
        return "TaskVector(" + expression() + ", tensors=" + deltas.size() + ")";
    }
}
