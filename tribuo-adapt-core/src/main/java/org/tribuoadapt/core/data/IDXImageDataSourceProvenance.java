package org.tribuoadapt.core.data;

import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.PrimitiveProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.SkeletalConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.DateTimeProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.HashProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import org.tribuo.provenance.ConfiguredDataSourceProvenance;

import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Provenance for {@link IDXImageDataSource}.
 * <p>
 * Besides the configured fields it records the SHA-256 hashes of the image and label resources
 * (of the stored bytes, i.e., of the compressed file when it is gzipped, as upper case hex like other
 * OLCUT hash provenances), the number of examples loaded and the time the data source was created.
 */
public final class IDXImageDataSourceProvenance extends SkeletalConfiguredObjectProvenance implements ConfiguredDataSourceProvenance {
    private static final long serialVersionUID = 1L;

    /**
     * The name of the provenance field for the image resource hash.
     */
    public static final String IMAGES_RESOURCE_HASH = "images-resource-hash";
    /**
     * The name of the provenance field for the label resource hash.
     */
    public static final String LABELS_RESOURCE_HASH = "labels-resource-hash";
    /**
     * The name of the provenance field for the number of examples loaded.
     */
    public static final String NUM_EXAMPLES = "num-examples";

    private final HashProvenance imagesHash;
    private final HashProvenance labelsHash;
    private final IntProvenance numExamples;
    private final DateTimeProvenance dataSourceCreationTime;

    /**
     * Records the provenance of a freshly loaded data source.
     *
     * @param host        The data source.
     * @param imagesHash  The SHA-256 hex digest of the stored image resource.
     * @param labelsHash  The SHA-256 hex digest of the stored label resource.
     * @param numExamples The number of examples loaded.
     */
    IDXImageDataSourceProvenance(IDXImageDataSource host, String imagesHash, String labelsHash, int numExamples) {
        super(host, "DataSource");
        this.imagesHash = new HashProvenance(DEFAULT_HASH_TYPE, IMAGES_RESOURCE_HASH, imagesHash);
        this.labelsHash = new HashProvenance(DEFAULT_HASH_TYPE, LABELS_RESOURCE_HASH, labelsHash);
        this.numExamples = new IntProvenance(NUM_EXAMPLES, numExamples);
        this.dataSourceCreationTime = new DateTimeProvenance(DATASOURCE_CREATION_TIME, OffsetDateTime.now());
    }

    /**
     * Deserialization constructor, used by OLCUT's provenance unmarshalling.
     *
     * @param map The provenances.
     */
    public IDXImageDataSourceProvenance(Map<String, Provenance> map) {
        this(extractProvenanceInfo(map));
    }

    private IDXImageDataSourceProvenance(ExtractedInfo info) {
        super(info);
        this.imagesHash = (HashProvenance) info.instanceValues.get(IMAGES_RESOURCE_HASH);
        this.labelsHash = (HashProvenance) info.instanceValues.get(LABELS_RESOURCE_HASH);
        this.numExamples = (IntProvenance) info.instanceValues.get(NUM_EXAMPLES);
        this.dataSourceCreationTime = (DateTimeProvenance) info.instanceValues.get(DATASOURCE_CREATION_TIME);
    }

    /**
     * Separates this class's instance values from its configured parameters.
     *
     * @param map The provenances.
     * @return The extracted provenance information.
     */
    private static ExtractedInfo extractProvenanceInfo(Map<String, Provenance> map) {
        Map<String, Provenance> configuredParameters = new HashMap<>(map);
        String owner = IDXImageDataSourceProvenance.class.getSimpleName();
        String className = ObjectProvenance.checkAndExtractProvenance(configuredParameters, CLASS_NAME, StringProvenance.class, owner).getValue();
        String hostShortName = ObjectProvenance.checkAndExtractProvenance(configuredParameters, HOST_SHORT_NAME, StringProvenance.class, owner).getValue();

        Map<String, PrimitiveProvenance<?>> instanceParameters = new HashMap<>();
        instanceParameters.put(IMAGES_RESOURCE_HASH, ObjectProvenance.checkAndExtractProvenance(configuredParameters, IMAGES_RESOURCE_HASH, HashProvenance.class, owner));
        instanceParameters.put(LABELS_RESOURCE_HASH, ObjectProvenance.checkAndExtractProvenance(configuredParameters, LABELS_RESOURCE_HASH, HashProvenance.class, owner));
        instanceParameters.put(NUM_EXAMPLES, ObjectProvenance.checkAndExtractProvenance(configuredParameters, NUM_EXAMPLES, IntProvenance.class, owner));
        instanceParameters.put(DATASOURCE_CREATION_TIME, ObjectProvenance.checkAndExtractProvenance(configuredParameters, DATASOURCE_CREATION_TIME, DateTimeProvenance.class, owner));

        return new ExtractedInfo(className, hostShortName, configuredParameters, instanceParameters);
    }

    /**
     * The SHA-256 digest of the stored image resource, as upper case hex.
     *
     * @return The image hash.
     */
    public String getImagesHash() {
        return imagesHash.getValue();
    }

    /**
     * The SHA-256 digest of the stored label resource, as upper case hex.
     *
     * @return The label hash.
     */
    public String getLabelsHash() {
        return labelsHash.getValue();
    }

    /**
     * The number of examples the data source loaded, after filtering.
     *
     * @return The number of examples.
     */
    public int getNumExamples() {
        return numExamples.getValue();
    }

    /**
     * The time the data source was created.
     *
     * @return The creation time.
     */
    public OffsetDateTime getCreationTime() {
        return dataSourceCreationTime.getValue();
    }

    @Override
    public Map<String, PrimitiveProvenance<?>> getInstanceValues() {
        Map<String, PrimitiveProvenance<?>> map = super.getInstanceValues();
        map.put(IMAGES_RESOURCE_HASH, imagesHash);
        map.put(LABELS_RESOURCE_HASH, labelsHash);
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
        IDXImageDataSourceProvenance other = (IDXImageDataSourceProvenance) o;
        return imagesHash.equals(other.imagesHash)
                && labelsHash.equals(other.labelsHash)
                && numExamples.equals(other.numExamples)
                && dataSourceCreationTime.equals(other.dataSourceCreationTime);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), imagesHash, labelsHash, numExamples, dataSourceCreationTime);
    }
}
