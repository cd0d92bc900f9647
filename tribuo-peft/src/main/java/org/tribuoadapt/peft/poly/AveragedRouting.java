package org.tribuoadapt.peft.poly;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterSpec;
import org.tribuoadapt.peft.PeftModel;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.lora.LoraSpec;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * MHR-μ (Caccia et al. 2023, section 4): the skill inventory of a trained Poly / MHR adapter collapsed into one
 * adapter with the routing averaged over the training tasks, which is then fine-tuned on the new task like a single
 * adapter. Since every head mixes its skills linearly, the collapsed update {@code (A B)^T / r} with the averaged
 * routing (the mixed factors of {@link PolyModule}) is exactly a LoRA of rank {@code r} with {@code lora_A = A^T},
 * {@code lora_B = B^T} and scaling {@code 1 / r} ({@code alpha = 1}); the result is a {@link LoraSpec} adapter, which
 * {@code PeftTrainer} fine-tunes from a saved adapter directory ({@code initialAdapter}).
 */
public final class AveragedRouting {

    private static final String POLY_TENSOR = ".poly_";

    private AveragedRouting() {}

    /**
     * Adds the MHR-μ collapse of a Poly adapter to a model as a LoRA adapter; modules to save are copied.
     * @param model The model holding the Poly adapter.
     * @param polyAdapter The Poly adapter's name.
     * @param newName The new adapter's name.
     * @return The model with the new adapter (the active adapters unchanged).
     * @throws IllegalArgumentException if the adapter is not a Poly adapter.
     */
    public static PeftModel collapse(PeftModel model, String polyAdapter, String newName) {
        AdapterSpec spec = model.adapterSpec(polyAdapter);
        if (!(spec instanceof PolySpec)) {
            throw new IllegalArgumentException("adapter '" + polyAdapter + "' is " + spec.peftType()
                    + ", not a Poly adapter; MHR-mu collapses a Poly skill inventory");
        }
        PolySpec poly = (PolySpec) spec;
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        try (PeftNetwork network = model.newPeftNetwork()) {
            tensors.putAll(loraTensors(network, polyAdapter));
        }
        for (Map.Entry<String, TensorData> e : model.adapterTensors(polyAdapter).entrySet()) {
            if (!e.getKey().contains(POLY_TENSOR)) {
                tensors.put(e.getKey(), e.getValue());
            }
        }
        return model.withAdapter(newName, loraSpec(poly), tensors, "MHR-mu collapse of '" + polyAdapter + "'");
    }

    /**
     * The LoRA that a Poly adapter's averaged routing amounts to.
     * @param poly The Poly spec.
     * @return A LoRA spec with the same targets, rank {@code r} and {@code alpha = 1}.
     */
    public static LoraSpec loraSpec(PolySpec poly) {
        return new LoraSpec(poly.targets(), poly.rank(), 1.0);
    }

    /**
     * The collapsed factors of every module of a Poly adapter, under PEFT's LoRA names
     * ({@code base_model.model.<layer>.lora_A.weight} {@code [r, in]}, {@code lora_B.weight} {@code [out, r]}).
     * @param network The network holding the adapter.
     * @param polyAdapter The adapter's name.
     * @return The tensors.
     */
    public static Map<String, TensorData> loraTensors(PeftNetwork network, String polyAdapter) {
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        try (GradientMode ignored = GradientMode.disabled(); NDScope scope = new NDScope()) {
            for (Map.Entry<String, AdapterModule> e : network.modules(polyAdapter).entrySet()) {
                if (!(e.getValue() instanceof PolyModule)) {
                    throw new IllegalArgumentException("adapter '" + polyAdapter + "' at '" + e.getKey()
                            + "' is not a Poly module");
                }
                PolyModule module = (PolyModule) e.getValue();
                NDArray routing = module.routing(PolySpec.AVERAGE_OF_TASKS);
                String prefix = PeftNetwork.MODEL_PREFIX + e.getKey();
                tensors.put(prefix + ".lora_A.weight", floats(module.mixedA(routing).transpose()));
                tensors.put(prefix + ".lora_B.weight", floats(module.mixedB(routing).transpose()));
            }
        }
        return tensors;
    }

    private static TensorData floats(NDArray array) {
        return TensorData.ofFloats(array.getShape().getShape(), array.toFloatArray());
    }
}
