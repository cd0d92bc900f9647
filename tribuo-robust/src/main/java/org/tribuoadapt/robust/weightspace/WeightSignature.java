package org.tribuoadapt.robust.weightspace;

import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import org.tribuo.provenance.ModelProvenance;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.safetensors.TensorData;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A robust weight signature (RWS; Cai, Zhang and Wang 2023, "Robust Weight Signatures: Gaining Robustness as Easy as
 * Patching Weights?"): what a robust model's weights add to a clean model's, after the part they share is projected
 * out. Both models are fine-tuned from one pretrained model {@code theta_0}: the clean one on clean data, the robust
 * one on corrupted data. For each tensor of the first {@code keepNum} weight layers,
 * <pre>
 *   delta = theta_robust - theta_0,   a = theta_clean - theta_0,   RWS = delta - (&lt;delta, a&gt; / &lt;a, a&gt;) a,
 * </pre>
 * so the signature is orthogonal, tensor by tensor, to the clean model's own fine-tuning direction (when
 * {@code a = 0} nothing is projected out). This is the decomposition of the authors' implementation
 * ({@code model_patching.py}, {@code decompose} with {@code get_projection}). The deeper layers, where the two models
 * hardly differ (the paper's first observation), are left out.
 * <p>
 * A weight layer is a layer owning a trainable tensor of rank at least 2 (a convolution or a fully connected layer),
 * counted in the network's forward order, as the authors count VGG's convolutions; its trainable tensors (weight and
 * bias) make up the signature. BatchNorm layers are not projected: the signature carries the robust model's
 * floating-point BatchNorm entries (affine parameters and running statistics) of every BatchNorm layer, which
 * patching averages over the signatures, as the authors do for ResNets. Signatures are applied with
 * {@link SignaturePatcher}.
 * <p>
 * A signature is an immutable value that remembers the three models it came from (their provenance and weight
 * hashes), its {@code keepNum} and the layers it kept.
 */
public final class WeightSignature {

    private final Map<String, TensorData> signature;
    private final Map<String, TensorData> batchNorm;
    private final int keepNum;
    private final List<String> keptLayers;
    private final ModelProvenance pretrained;
    private final ModelProvenance clean;
    private final ModelProvenance robust;
    private final List<String> sha256;

    private WeightSignature(Map<String, TensorData> signature, Map<String, TensorData> batchNorm, int keepNum,
                            List<String> keptLayers, ModelProvenance pretrained, ModelProvenance clean,
                            ModelProvenance robust, List<String> sha256) {
        this.signature = Collections.unmodifiableMap(signature);
        this.batchNorm = Collections.unmodifiableMap(batchNorm);
        this.keepNum = keepNum;
        this.keptLayers = List.copyOf(keptLayers);
        this.pretrained = pretrained;
        this.clean = clean;
        this.robust = robust;
        this.sha256 = List.copyOf(sha256);
    }

    /**
     * Extracts the robust weight signature of {@code robust} against {@code clean}.
     * @param pretrained The model both were fine-tuned from.
     * @param clean The model fine-tuned on clean data.
     * @param robust The model fine-tuned on corrupted data.
     * @param keepNum How many weight layers, from the input on, the signature keeps ({@code >= 1}); all of them when
     *                the network has fewer.
     * @return The signature.
     * @throws IllegalArgumentException if the architectures differ, keepNum is below 1 or the network has no weight
     *                                  layer.
     */
    public static WeightSignature extract(NetworkModel pretrained, NetworkModel clean, NetworkModel robust, int keepNum) {
        if (keepNum < 1) {
            throw new IllegalArgumentException("keepNum must be at least 1, found " + keepNum);
        }
        WeightModels.checkSameArchitecture(pretrained, clean, "the clean model");
        WeightModels.checkSameArchitecture(pretrained, robust, "the robust model");
        Map<String, TensorData> start = pretrained.stateDict();
        Map<String, TensorData> cleanWeights = clean.stateDict();
        Map<String, TensorData> robustWeights = robust.stateDict();
        Map<String, TensorData> out = new LinkedHashMap<>();
        Map<String, TensorData> batchNormEntries = new LinkedHashMap<>();
        List<String> kept = new ArrayList<>();
        try (Network network = pretrained.newNetwork()) {
            Map<String, Parameter> parameters = network.parameters();
            Set<String> batchNormLayers = batchNormLayers(parameters.keySet());
            List<String> weightLayers = weightLayers(parameters, batchNormLayers);
            if (weightLayers.isEmpty()) {
                throw new IllegalArgumentException("the network has no weight layer; its tensors are "
                        + parameters.keySet());
            }
            kept.addAll(weightLayers.subList(0, Math.min(keepNum, weightLayers.size())));
            for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
                String name = e.getKey();
                String layer = layerOf(name);
                if (kept.contains(layer) && e.getValue().kind() == Parameter.Kind.WEIGHT) {
                    float[] delta = difference(robustWeights.get(name), start.get(name));
                    float[] direction = difference(cleanWeights.get(name), start.get(name));
                    out.put(name, TensorData.ofFloats(start.get(name).shape(), removeProjection(delta, direction)));
                } else if (batchNormLayers.contains(layer) && robustWeights.get(name).dtype().isFloatingPoint()) {
                    batchNormEntries.put(name, robustWeights.get(name));
                }
            }
        }
        return new WeightSignature(out, batchNormEntries, keepNum, kept, pretrained.getProvenance(),
                clean.getProvenance(), robust.getProvenance(), List.of(NetworkProvenance.sha256(pretrained.weightBytes()),
                NetworkProvenance.sha256(clean.weightBytes()), NetworkProvenance.sha256(robust.weightBytes())));
    }

    /**
     * {@code delta - (<delta, a> / <a, a>) a}, accumulated in double precision; {@code delta} itself when {@code a} is 0.
     * @param delta The robust model's difference from the pretrained one.
     * @param direction The clean model's difference from the pretrained one, {@code a}.
     * @return The part of {@code delta} orthogonal to {@code a}.
     */
    static float[] removeProjection(float[] delta, float[] direction) {
        double dot = 0;
        double squares = 0;
        for (int i = 0; i < delta.length; i++) {
            dot += (double) delta[i] * direction[i];
            squares += (double) direction[i] * direction[i];
        }
        double coefficient = squares == 0 ? 0 : dot / squares;
        float[] out = new float[delta.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (delta[i] - coefficient * direction[i]);
        }
        return out;
    }

    private static float[] difference(TensorData after, TensorData before) {
        float[] a = after.toFloatArray();
        float[] b = before.toFloatArray();
        for (int i = 0; i < a.length; i++) {
            a[i] -= b[i];
        }
        return a;
    }

    private static String layerOf(String tensor) {
        int dot = tensor.lastIndexOf('.');
        return dot < 0 ? "" : tensor.substring(0, dot);
    }

    private static Set<String> batchNormLayers(Set<String> tensors) {
        Set<String> out = new LinkedHashSet<>();
        for (String name : tensors) {
            if (name.endsWith(".running_mean")) {
                out.add(layerOf(name));
            }
        }
        return out;
    }

    /** The layers owning a trainable tensor of rank 2 or more, in forward order. */
    private static List<String> weightLayers(Map<String, Parameter> parameters, Set<String> batchNormLayers) {
        Set<String> out = new LinkedHashSet<>();
        for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
            String layer = layerOf(e.getKey());
            if (e.getValue().kind() == Parameter.Kind.WEIGHT && e.getValue().shape().dimension() >= 2
                    && !batchNormLayers.contains(layer)) {
                out.add(layer);
            }
        }
        return new ArrayList<>(out);
    }

    /**
     * The signature's tensors (those of the kept weight layers), by PyTorch name.
     * @return An unmodifiable map.
     */
    public Map<String, TensorData> tensors() {
        return signature;
    }

    /**
     * The robust model's floating-point BatchNorm entries, by PyTorch name (empty without BatchNorm).
     * @return An unmodifiable map.
     */
    public Map<String, TensorData> batchNormEntries() {
        return batchNorm;
    }

    /**
     * The weight layers kept, in forward order.
     * @return At most {@code keepNum} layer names.
     */
    public List<String> keptLayers() {
        return keptLayers;
    }

    /**
     * The number of weight layers asked for.
     * @return keepNum.
     */
    public int keepNum() {
        return keepNum;
    }

    /**
     * Adds this signature's provenance: the three models, their weight hashes, keepNum and the kept layers. Each
     * model's provenance is its own entry, as OLCUT marshals object provenance held directly in the map.
     * @param prefix The key prefix, e.g. {@code rws-signature-0-}.
     * @param out The run provenance being built.
     */
    void describe(String prefix, Map<String, Provenance> out) {
        String[] roles = {"pretrained", "clean", "robust"};
        ModelProvenance[] models = {pretrained, clean, robust};
        for (int i = 0; i < roles.length; i++) {
            out.put(prefix + roles[i] + "-model", models[i]);
            String key = prefix + roles[i] + "-weights-sha256";
            out.put(key, new StringProvenance(key, sha256.get(i)));
        }
        out.put(prefix + "keep-num", new IntProvenance(prefix + "keep-num", keepNum));
        List<StringProvenance> layers = new ArrayList<>();
        for (String layer : keptLayers) {
            layers.add(new StringProvenance(prefix + "kept-layers", layer));
        }
        out.put(prefix + "kept-layers", new ListProvenance<>(layers));
    }

    @Override
    public String toString() {
        return "WeightSignature(robust=" + sha256.get(2).substring(0, 12) + ", keepNum=" + keepNum + ", layers="
                + keptLayers + ")";
    }
}
