package org.tribuoadapt.tta.evaluation;

import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import com.oracle.labs.mlrg.olcut.util.Pair;
import org.tribuo.provenance.DataProvenance;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The provenance of the data a test-time adaptation evaluation scored: the shifted stream (the scenario's
 * configuration, which includes its seed, and the provenance of the data it was built from) as seen through the
 * adaptation method (its configuration), with the stream's size and the evaluator's settings. Together with the
 * model's provenance it is enough to rebuild the evaluation.
 */
public final class TtaStreamProvenance implements DataProvenance {
    private static final long serialVersionUID = 1L;

    /** The scenario's configuration. */
    public static final String SCENARIO = "scenario";
    /** The adaptation method's configuration. */
    public static final String METHOD = "method";
    /** The provenance of the data the stream was built from. */
    public static final String SOURCES = "sources";
    /** The number of examples in the stream. */
    public static final String EXAMPLES = "examples";
    /** The number of batches. */
    public static final String BATCHES = "batches";
    /** Untimed Source batches run before timing. */
    public static final String WARMUP_BATCHES = "warmup-batches";
    /** Source-distribution samples offered to the method. */
    public static final String SOURCE_SAMPLES = "source-samples";
    /** The key of the source-distribution data the samples were drawn from (empty when none). */
    public static final String SOURCE_DATA = "source-data";

    private final StringProvenance className;
    private final ConfiguredObjectProvenance scenario;
    private final ConfiguredObjectProvenance method;
    private final ListProvenance<DataProvenance> sources;
    private final IntProvenance examples;
    private final IntProvenance batches;
    private final IntProvenance warmupBatches;
    private final IntProvenance sourceSamples;
    private final ListProvenance<DataProvenance> sourceData;

    /**
     * Records a stream.
     * @param scenario The scenario's provenance.
     * @param method The method's provenance.
     * @param sources The provenance of the data the stream was built from.
     * @param examples The number of examples.
     * @param batches The number of batches.
     * @param warmupBatches Untimed warm-up batches.
     * @param sourceSamples Source-distribution samples offered to the method.
     * @param sourceData The provenance of the data the source samples were drawn from, or null if none.
     */
    public TtaStreamProvenance(ConfiguredObjectProvenance scenario, ConfiguredObjectProvenance method,
                               List<DataProvenance> sources, int examples, int batches, int warmupBatches,
                               int sourceSamples, DataProvenance sourceData) {
        this.className = new StringProvenance(CLASS_NAME, TtaStreamProvenance.class.getName());
        this.scenario = scenario;
        this.method = method;
        this.sources = new ListProvenance<>(new ArrayList<>(sources));
        this.examples = new IntProvenance(EXAMPLES, examples);
        this.batches = new IntProvenance(BATCHES, batches);
        this.warmupBatches = new IntProvenance(WARMUP_BATCHES, warmupBatches);
        this.sourceSamples = new IntProvenance(SOURCE_SAMPLES, sourceSamples);
        this.sourceData = new ListProvenance<>(sourceData == null ? List.of() : List.of(sourceData));
    }

    /**
     * Deserialization constructor, used by OLCUT's provenance unmarshalling.
     * @param map The provenances.
     */
    @SuppressWarnings("unchecked") // the list holds data provenances, as written by the other constructor
    public TtaStreamProvenance(Map<String, Provenance> map) {
        String owner = TtaStreamProvenance.class.getSimpleName();
        this.className = ObjectProvenance.checkAndExtractProvenance(map, CLASS_NAME, StringProvenance.class, owner);
        this.scenario = ObjectProvenance.checkAndExtractProvenance(map, SCENARIO, ConfiguredObjectProvenance.class, owner);
        this.method = ObjectProvenance.checkAndExtractProvenance(map, METHOD, ConfiguredObjectProvenance.class, owner);
        this.sources = ObjectProvenance.checkAndExtractProvenance(map, SOURCES, ListProvenance.class, owner);
        this.examples = ObjectProvenance.checkAndExtractProvenance(map, EXAMPLES, IntProvenance.class, owner);
        this.batches = ObjectProvenance.checkAndExtractProvenance(map, BATCHES, IntProvenance.class, owner);
        this.warmupBatches = ObjectProvenance.checkAndExtractProvenance(map, WARMUP_BATCHES, IntProvenance.class, owner);
        this.sourceSamples = ObjectProvenance.checkAndExtractProvenance(map, SOURCE_SAMPLES, IntProvenance.class, owner);
        this.sourceData = ObjectProvenance.checkAndExtractProvenance(map, SOURCE_DATA, ListProvenance.class, owner);
    }

    @Override
    public String getClassName() {
        return className.getValue();
    }

    /**
     * The scenario's configuration (it includes the seed).
     * @return The scenario provenance.
     */
    public ConfiguredObjectProvenance scenario() {
        return scenario;
    }

    /**
     * The method's configuration.
     * @return The method provenance.
     */
    public ConfiguredObjectProvenance method() {
        return method;
    }

    /**
     * The provenance of the data the stream was built from.
     * @return The data provenances.
     */
    public List<DataProvenance> sources() {
        return sources.getList();
    }

    /**
     * The provenance of the data the source samples were drawn from.
     * @return The data provenance, if the method was offered source samples.
     */
    public java.util.Optional<DataProvenance> sourceData() {
        return sourceData.getList().stream().findFirst();
    }

    /**
     * The number of untimed warm-up batches.
     * @return The count.
     */
    public int warmupBatches() {
        return warmupBatches.getValue();
    }

    /**
     * The number of source-distribution samples offered to the method.
     * @return The count.
     */
    public int sourceSamples() {
        return sourceSamples.getValue();
    }

    /**
     * The number of examples in the stream.
     * @return The count.
     */
    public int examples() {
        return examples.getValue();
    }

    @Override
    public Iterator<Pair<String, Provenance>> iterator() {
        List<Pair<String, Provenance>> list = new ArrayList<>();
        list.add(new Pair<>(CLASS_NAME, className));
        list.add(new Pair<>(SCENARIO, scenario));
        list.add(new Pair<>(METHOD, method));
        list.add(new Pair<>(SOURCES, sources));
        list.add(new Pair<>(EXAMPLES, examples));
        list.add(new Pair<>(BATCHES, batches));
        list.add(new Pair<>(WARMUP_BATCHES, warmupBatches));
        list.add(new Pair<>(SOURCE_SAMPLES, sourceSamples));
        list.add(new Pair<>(SOURCE_DATA, sourceData));
        return list.iterator();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TtaStreamProvenance)) {
            return false;
        }
        TtaStreamProvenance other = (TtaStreamProvenance) o;
        return className.equals(other.className) && scenario.equals(other.scenario) && method.equals(other.method)
                && sources.equals(other.sources) && examples.equals(other.examples) && batches.equals(other.batches)
                && warmupBatches.equals(other.warmupBatches) && sourceSamples.equals(other.sourceSamples)
                && sourceData.equals(other.sourceData);
    }

    @Override
    public int hashCode() {
        return Objects.hash(className, scenario, method, sources, examples, batches, warmupBatches, sourceSamples,
                sourceData);
    }

    @Override
    public String toString() {
        return generateString("TtaStream");
    }
}
