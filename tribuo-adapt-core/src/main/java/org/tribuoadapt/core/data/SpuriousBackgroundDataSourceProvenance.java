package org.tribuoadapt.core.data;

import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.PrimitiveProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.SkeletalConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.DateTimeProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import org.tribuo.provenance.ConfiguredDataSourceProvenance;

import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Provenance for {@link SpuriousBackgroundDataSource}: its configured fields (the wrapped source's provenance among
 * them, with the source's file hashes), the number of examples and the time the data source was created.
 */
public final class SpuriousBackgroundDataSourceProvenance extends SkeletalConfiguredObjectProvenance
        implements ConfiguredDataSourceProvenance {
    private static final long serialVersionUID = 1L;

    /** The name of the provenance field for the number of examples. */
    public static final String NUM_EXAMPLES = "num-examples";

    private final IntProvenance numExamples;
    private final DateTimeProvenance dataSourceCreationTime;

    /**
     * Records the provenance of a freshly built data source.
     * @param host The data source.
     * @param numExamples The number of examples.
     */
    SpuriousBackgroundDataSourceProvenance(SpuriousBackgroundDataSource host, int numExamples) {
        super(host, "DataSource");
        this.numExamples = new IntProvenance(NUM_EXAMPLES, numExamples);
        this.dataSourceCreationTime = new DateTimeProvenance(DATASOURCE_CREATION_TIME, OffsetDateTime.now());
    }

    /**
     * Deserialization constructor, used by OLCUT's provenance unmarshalling.
     * @param map The provenances.
     */
    public SpuriousBackgroundDataSourceProvenance(Map<String, Provenance> map) {
        this(extractProvenanceInfo(map));
    }

    private SpuriousBackgroundDataSourceProvenance(ExtractedInfo info) {
        super(info);
        this.numExamples = (IntProvenance) info.instanceValues.get(NUM_EXAMPLES);
        this.dataSourceCreationTime = (DateTimeProvenance) info.instanceValues.get(DATASOURCE_CREATION_TIME);
    }

    private static ExtractedInfo extractProvenanceInfo(Map<String, Provenance> map) {
        Map<String, Provenance> configuredParameters = new HashMap<>(map);
        String owner = SpuriousBackgroundDataSourceProvenance.class.getSimpleName();
        String className = ObjectProvenance.checkAndExtractProvenance(configuredParameters, CLASS_NAME, StringProvenance.class, owner).getValue();
        String hostShortName = ObjectProvenance.checkAndExtractProvenance(configuredParameters, HOST_SHORT_NAME, StringProvenance.class, owner).getValue();
        Map<String, PrimitiveProvenance<?>> instanceParameters = new HashMap<>();
        instanceParameters.put(NUM_EXAMPLES, ObjectProvenance.checkAndExtractProvenance(configuredParameters, NUM_EXAMPLES, IntProvenance.class, owner));
        instanceParameters.put(DATASOURCE_CREATION_TIME, ObjectProvenance.checkAndExtractProvenance(configuredParameters, DATASOURCE_CREATION_TIME, DateTimeProvenance.class, owner));
        return new ExtractedInfo(className, hostShortName, configuredParameters, instanceParameters);
    }

    @Override
    public Map<String, PrimitiveProvenance<?>> getInstanceValues() {
        Map<String, PrimitiveProvenance<?>> map = super.getInstanceValues();
        map.put(NUM_EXAMPLES, numExamples);
        map.put(DATASOURCE_CREATION_TIME, dataSourceCreationTime);
        return map;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass() || !super.equals(o)) {
            return false;
        }
        SpuriousBackgroundDataSourceProvenance other = (SpuriousBackgroundDataSourceProvenance) o;
        return numExamples.equals(other.numExamples) && dataSourceCreationTime.equals(other.dataSourceCreationTime);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), numExamples, dataSourceCreationTime);
    }
}
