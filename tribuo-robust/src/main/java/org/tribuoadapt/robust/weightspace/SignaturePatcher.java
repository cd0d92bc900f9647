package org.tribuoadapt.robust.weightspace;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import com.oracle.labs.mlrg.olcut.provenance.primitives.DoubleProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.safetensors.TensorData;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Patches a model with robust weight signatures (Cai, Zhang and Wang 2023): the robustness of {@code K} robust models
 * (for example one trained on noisy images and one on blurred ones) is added to a clean model at once,
 * <pre>
 *   theta = theta_clean + (alpha / K) sum_k RWS_k
 * </pre>
 * on the signatures' tensors, and each BatchNorm entry becomes the mean of the {@code K} robust models' entries. The
 * other tensors keep the clean model's values. {@code alpha} scales the patched robustness (0 adds no signature); with
 * {@code alpha = 1} and one signature whose clean direction was zero (the clean model is the pretrained one), the kept
 * layers get the robust model's weights back.
 * <p>
 * The authors' {@code model_patching.py} multiplies each difference by {@code alpha / K} both before and after the
 * projection, so for {@code K > 1} it effectively scales by {@code (alpha / K)^2}; this class applies the
 * {@code alpha / K} of the method once. The authors also re-estimate the running statistics on corrupted training
 * data after patching a ResNet; that step needs the corrupted data and is left to the caller.
 * <p>
 * Settings: {@code alpha} (1.0) and {@code keepNum} (7, the authors' default), the number of weight layers
 * {@link #extract extracted} signatures keep. The patched model's run provenance records alpha and, per signature, its
 * three models, their weight hashes, keepNum and the kept layers.
 */
public final class SignaturePatcher implements Configurable, Provenancable<ConfiguredObjectProvenance> {

    /** Run-provenance key of the method. */
    public static final String METHOD = "rws-method";
    /** Run-provenance key of the scale alpha. */
    public static final String ALPHA = "rws-alpha";
    /** Run-provenance key of the number of signatures. */
    public static final String COUNT = "rws-signatures";
    /** Run-provenance key of the patched model's provenance. */
    public static final String TARGET = "rws-target-model";
    /** Run-provenance key prefix of each signature: {@code rws-signature-0-robust-model}, ... */
    public static final String SIGNATURE = "rws-signature-";

    @Config(description = "The scale alpha of the summed signatures, which are averaged over their number K: "
            + "theta_clean + (alpha / K) sum_k RWS_k. Finite and >= 0.")
    private double alpha = 1.0;

    @Config(description = "How many weight layers, from the input on, extracted signatures keep (>= 1).")
    private int keepNum = 7;

    /** For OLCUT. */
    private SignaturePatcher() {}

    /**
     * Creates a patcher.
     * @param alpha The scale of the averaged signatures, finite and {@code >= 0}.
     * @param keepNum The number of weight layers extracted signatures keep, {@code >= 1}.
     */
    public SignaturePatcher(double alpha, int keepNum) {
        this.alpha = alpha;
        this.keepNum = keepNum;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (!(alpha >= 0) || Double.isInfinite(alpha)) {
            throw new PropertyException("", "alpha", "alpha must be finite and >= 0, found " + alpha);
        }
        if (keepNum < 1) {
            throw new PropertyException("", "keepNum", "keepNum must be at least 1, found " + keepNum);
        }
    }

    /**
     * Extracts a signature that keeps this patcher's {@code keepNum} weight layers.
     * @param pretrained The model both others were fine-tuned from.
     * @param clean The model fine-tuned on clean data.
     * @param robust The model fine-tuned on corrupted data.
     * @return The signature.
     * @see WeightSignature#extract(NetworkModel, NetworkModel, NetworkModel, int)
     */
    public WeightSignature extract(NetworkModel pretrained, NetworkModel clean, NetworkModel robust) {
        return WeightSignature.extract(pretrained, clean, robust, keepNum);
    }

    /**
     * Patches a model with the signatures: {@code theta + (alpha / K) sum_k RWS_k}, BatchNorm entries averaged.
     * @param target The model to patch, usually the clean model the signatures were extracted against.
     * @param signatures The signatures, from models of the target's architecture.
     * @return The patched model.
     * @throws IllegalArgumentException if there is no signature, the signatures carry different BatchNorm entries, or
     *                                  the target lacks a tensor of a signature or has another shape.
     */
    public NetworkModel patch(NetworkModel target, List<WeightSignature> signatures) {
        if (signatures.isEmpty()) {
            throw new IllegalArgumentException("patching needs at least one signature");
        }
        Map<String, TensorData> weights = new LinkedHashMap<>(target.stateDict());
        Map<String, double[]> sums = new LinkedHashMap<>();
        double scale = alpha / signatures.size();
        for (WeightSignature s : signatures) {
            accumulate(weights, s.tensors(), scale, sums);
        }
        Map<String, double[]> batchNorm = new LinkedHashMap<>();
        for (int k = 0; k < signatures.size(); k++) {
            if (!signatures.get(k).batchNormEntries().keySet().equals(signatures.get(0).batchNormEntries().keySet())) {
                throw new IllegalArgumentException("signature " + k + " carries the BatchNorm entries "
                        + signatures.get(k).batchNormEntries().keySet() + " but signature 0 carries "
                        + signatures.get(0).batchNormEntries().keySet());
            }
            accumulate(weights, signatures.get(k).batchNormEntries(), 1.0 / signatures.size(), batchNorm);
        }
        for (Map.Entry<String, double[]> e : sums.entrySet()) {
            float[] current = weights.get(e.getKey()).toFloatArray();
            for (int i = 0; i < current.length; i++) {
                current[i] = (float) (current[i] + e.getValue()[i]);
            }
            weights.put(e.getKey(), TensorData.ofFloats(weights.get(e.getKey()).shape(), current));
        }
        for (Map.Entry<String, double[]> e : batchNorm.entrySet()) {
            float[] mean = new float[e.getValue().length];
            for (int i = 0; i < mean.length; i++) {
                mean[i] = (float) e.getValue()[i];
            }
            weights.put(e.getKey(), TensorData.ofFloats(weights.get(e.getKey()).shape(), mean));
        }
        Map<String, Provenance> instance = new LinkedHashMap<>();
        instance.put(METHOD, new StringProvenance(METHOD, "robust-weight-signatures"));
        instance.put(ALPHA, new DoubleProvenance(ALPHA, alpha));
        instance.put(COUNT, new IntProvenance(COUNT, signatures.size()));
        instance.put(TARGET, target.getProvenance());
        for (int k = 0; k < signatures.size(); k++) {
            signatures.get(k).describe(SIGNATURE + k + "-", instance);
        }
        return WeightModels.build(target, weights, "rws-patched-model", target.getProvenance().getDatasetProvenance(),
                instance);
    }

    /** Adds {@code factor * tensor} to the running sums, checking that the target has each tensor in that shape. */
    private static void accumulate(Map<String, TensorData> target, Map<String, TensorData> tensors, double factor,
                                   Map<String, double[]> sums) {
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            TensorData current = target.get(e.getKey());
            if (current == null) {
                throw new IllegalArgumentException("the patched model has no tensor '" + e.getKey()
                        + "'; its tensors are " + target.keySet());
            }
            if (!Arrays.equals(current.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' has shape "
                        + Arrays.toString(e.getValue().shape()) + " in the signature but "
                        + Arrays.toString(current.shape()) + " in the patched model");
            }
            double[] sum = sums.computeIfAbsent(e.getKey(), key -> new double[Math.toIntExact(current.numElements())]);
            float[] values = e.getValue().toFloatArray();
            for (int i = 0; i < sum.length; i++) {
                sum[i] += factor * values[i];
            }
        }
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "SignaturePatcher");
    }

    @Override
    public String toString() {
        return "SignaturePatcher(alpha=" + alpha + ",keepNum=" + keepNum + ")";
    }
}
