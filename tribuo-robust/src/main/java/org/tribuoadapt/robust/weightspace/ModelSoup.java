package org.tribuoadapt.robust.weightspace;

import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.DoubleProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import org.tribuo.Dataset;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.train.Evaluation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Model soups (Wortsman et al. 2022): averages of the weights of network models of one architecture, for example
 * fine-tuned from one start with different hyperparameters.
 * <ul>
 *   <li>The uniform soup averages every ingredient.</li>
 *   <li>The greedy soup (their Recipe 1) sorts the ingredients by held-out accuracy, starts from the best, and adds
 *   each next ingredient to the average only if that strictly improves held-out accuracy, so it is never worse on the
 *   held-out data than the best ingredient.</li>
 * </ul>
 * Floating-point tensors (weights and BatchNorm statistics) are averaged; integer buffers (BatchNorm's
 * {@code num_batches_tracked}) are taken from the first ingredient of the soup. The result is a {@link NetworkModel}
 * whose provenance lists every ingredient.
 */
public final class ModelSoup {

    /** Run-provenance key of the soup recipe. */
    public static final String METHOD = "soup-method";
    /** Run-provenance key prefix of each ingredient's provenance: {@code soup-ingredient-0}, {@code -1}, ... */
    public static final String INGREDIENT = "soup-ingredient-";
    /** Run-provenance key of the ingredients' weight hashes. */
    public static final String INGREDIENT_HASHES = "soup-ingredient-weights-sha256";
    /** Run-provenance key of the positions of the ingredients kept in the soup. */
    public static final String KEPT = "soup-kept-ingredients";
    /** Run-provenance key of the soup's held-out accuracy (greedy soups). */
    public static final String HELD_OUT_ACCURACY = "soup-held-out-accuracy";

    private ModelSoup() {}

    /**
     * Averages every ingredient.
     * @param ingredients The models, of one architecture.
     * @return The uniform soup.
     * @throws IllegalArgumentException if there are no ingredients or their architectures differ.
     */
    public static NetworkModel uniform(List<NetworkModel> ingredients) {
        check(ingredients);
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < ingredients.size(); i++) {
            all.add(i);
        }
        Map<String, Provenance> instance = describe("uniform", ingredients, all);
        return WeightModels.build(ingredients.get(0), average(ingredients, all), "uniform-soup",
                ingredients.get(0).getProvenance().getDatasetProvenance(), instance);
    }

    /**
     * Builds the greedy soup of Wortsman et al. (2022, Recipe 1).
     * @param ingredients The models, of one architecture.
     * @param heldOut Held-out data the choice is made on.
     * @return The greedy soup.
     * @throws IllegalArgumentException if there are no ingredients, their architectures differ, or the data is empty.
     */
    public static NetworkModel greedy(List<NetworkModel> ingredients, Dataset<Label> heldOut) {
        check(ingredients);
        NetworkModel first = ingredients.get(0);
        TensorDataset data = TensorDataset.from(heldOut, new FeatureTensorizer(first.getFeatureIDMap(),
                first.spec().inputShape()), first.getOutputIDInfo());
        double[] accuracy = new double[ingredients.size()];
        List<Integer> order = new ArrayList<>();
        try (Network network = first.newNetwork()) {
            for (int i = 0; i < ingredients.size(); i++) {
                accuracy[i] = accuracyOf(network, ingredients.get(i).stateDict(), data);
                order.add(i);
            }
            order.sort(Comparator.comparingDouble((Integer i) -> -accuracy[i]).thenComparingInt(i -> i));
            List<Integer> kept = new ArrayList<>(List.of(order.get(0)));
            double best = accuracy[order.get(0)];
            for (int k = 1; k < order.size(); k++) {
                List<Integer> candidate = new ArrayList<>(kept);
                candidate.add(order.get(k));
                double candidateAccuracy = accuracyOf(network, average(ingredients, candidate), data);
                if (candidateAccuracy > best) {
                    kept = candidate;
                    best = candidateAccuracy;
                }
            }
            Map<String, Provenance> instance = describe("greedy", ingredients, kept);
            instance.put(HELD_OUT_ACCURACY, new DoubleProvenance(HELD_OUT_ACCURACY, best));
            return WeightModels.build(first, average(ingredients, kept), "greedy-soup", heldOut.getProvenance(), instance);
        }
    }

    private static void check(List<NetworkModel> ingredients) {
        if (ingredients.isEmpty()) {
            throw new IllegalArgumentException("a soup needs at least one ingredient");
        }
        for (int i = 1; i < ingredients.size(); i++) {
            WeightModels.checkSameArchitecture(ingredients.get(0), ingredients.get(i), "soup ingredient " + i);
        }
    }

    private static double accuracyOf(Network network, Map<String, TensorData> weights, TensorDataset data) {
        network.loadStateDict(weights, true);
        return Evaluation.lossAndAccuracy(network, data)[1];
    }

    /** The element-wise mean of the chosen ingredients' floating-point tensors, accumulated in double precision. */
    static Map<String, TensorData> average(List<NetworkModel> ingredients, List<Integer> chosen) {
        List<Map<String, TensorData>> states = new ArrayList<>();
        for (int i : chosen) {
            states.add(ingredients.get(i).stateDict());
        }
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : states.get(0).entrySet()) {
            TensorData first = e.getValue();
            if (!first.dtype().isFloatingPoint()) {
                out.put(e.getKey(), first);
                continue;
            }
            double[] sum = new double[Math.toIntExact(first.numElements())];
            for (Map<String, TensorData> state : states) {
                float[] values = state.get(e.getKey()).toFloatArray();
                for (int j = 0; j < sum.length; j++) {
                    sum[j] += values[j];
                }
            }
            float[] mean = new float[sum.length];
            for (int j = 0; j < sum.length; j++) {
                mean[j] = (float) (sum[j] / states.size());
            }
            out.put(e.getKey(), TensorData.ofFloats(first.shape(), mean));
        }
        return out;
    }

    private static Map<String, Provenance> describe(String method, List<NetworkModel> ingredients, List<Integer> kept) {
        Map<String, Provenance> instance = new LinkedHashMap<>();
        instance.put(METHOD, new StringProvenance(METHOD, method));
        List<StringProvenance> hashes = new ArrayList<>();
        for (int i = 0; i < ingredients.size(); i++) {
            // one entry per ingredient: OLCUT marshals object provenance held directly in the map, not inside a list
            instance.put(INGREDIENT + i, ingredients.get(i).getProvenance());
            hashes.add(new StringProvenance(INGREDIENT_HASHES, NetworkProvenance.sha256(ingredients.get(i).weightBytes())));
        }
        instance.put(INGREDIENT_HASHES, new ListProvenance<>(hashes));
        List<IntProvenance> keptList = new ArrayList<>();
        for (int i : kept) {
            keptList.add(new IntProvenance(KEPT, i));
        }
        instance.put(KEPT, new ListProvenance<>(keptList));
        return instance;
    }
}
