package org.tribuoadapt.peft;

import com.oracle.labs.mlrg.olcut.provenance.MapProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.BooleanProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.LongProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import org.tribuoadapt.core.model.NetworkProvenance;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run-provenance entries of adapter models: the base weights' SHA-256, and for every adapter its configuration
 * (as its own configured-object provenance), its rank at each module, the SHA-256 of its tensors and how it came to
 * be; plus the active adapters and the trainable-parameter counts.
 */
public final class PeftProvenance {

    /** SHA-256 of the base network's weights (safetensors bytes). */
    public static final String BASE_WEIGHTS_SHA256 = "base-weights-sha256";
    /** SHA-256 of the configured file the base was read from (safetensors weights or a serialized model). */
    public static final String BASE_FILE_SHA256 = "base-file-sha256";
    /** The adapters, comma separated, in the order they were added. */
    public static final String ADAPTERS = "adapters";
    /** The active adapters, comma separated. */
    public static final String ACTIVE_ADAPTERS = "active-adapters";
    /** False when every adapter is switched off. */
    public static final String ADAPTERS_ENABLED = "adapters-enabled";
    /** True when the active adapters are folded into the base weights. */
    public static final String MERGED = "merged";
    /** Trainable values while training the first active adapter. */
    public static final String TRAINABLE_PARAMETERS = "trainable-parameters";
    /** All values of the adapted network. */
    public static final String ALL_PARAMETERS = "all-parameters";
    /** Prefix of the per-adapter entries: {@code adapter.<name>.spec}, {@code .ranks}, {@code .tensors-sha256}, {@code .origin}. */
    public static final String ADAPTER_PREFIX = "adapter.";
    /** SHA-256 of the adapter files a training run started from. */
    public static final String INITIAL_ADAPTER_SHA256 = "initial-adapter-sha256";

    private PeftProvenance() {}

    /**
     * Describes one adapter.
     * @param name The adapter's name.
     * @param spec Its configuration.
     * @param ranks Its rank per module.
     * @param tensors Its tensors as safetensors bytes.
     * @param origin How it came to be.
     * @return Entries keyed {@code adapter.<name>.*}.
     */
    public static Map<String, Provenance> describeAdapter(String name, AdapterSpec spec, Map<String, Integer> ranks,
                                                          byte[] tensors, String origin) {
        String prefix = ADAPTER_PREFIX + name + ".";
        Map<String, IntProvenance> rankEntries = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : ranks.entrySet()) {
            rankEntries.put(e.getKey(), new IntProvenance(e.getKey(), e.getValue()));
        }
        Map<String, Provenance> out = new LinkedHashMap<>();
        out.put(prefix + "spec", spec.getProvenance());
        out.put(prefix + "ranks", new MapProvenance<>(rankEntries));
        out.put(prefix + "tensors-sha256", new StringProvenance(prefix + "tensors-sha256", NetworkProvenance.sha256(tensors)));
        out.put(prefix + "origin", new StringProvenance(prefix + "origin", origin));
        return out;
    }

    /**
     * Describes the adapter state of a model.
     * @param adapters The adapter names.
     * @param active The active adapters.
     * @param enabled Whether adapters run.
     * @param merged Whether they are merged.
     * @param summary The parameter counts.
     * @return The entries.
     */
    public static Map<String, Provenance> describeState(List<String> adapters, List<String> active, boolean enabled,
                                                        boolean merged, TrainableSummary summary) {
        Map<String, Provenance> out = new LinkedHashMap<>();
        out.put(ADAPTERS, new StringProvenance(ADAPTERS, String.join(",", adapters)));
        out.put(ACTIVE_ADAPTERS, new StringProvenance(ACTIVE_ADAPTERS, String.join(",", active)));
        out.put(ADAPTERS_ENABLED, new BooleanProvenance(ADAPTERS_ENABLED, enabled));
        out.put(MERGED, new BooleanProvenance(MERGED, merged));
        out.put(TRAINABLE_PARAMETERS, new LongProvenance(TRAINABLE_PARAMETERS, summary.trainable()));
        out.put(ALL_PARAMETERS, new LongProvenance(ALL_PARAMETERS, summary.all()));
        return out;
    }
}
