package org.tribuoadapt.tta.scenario;

import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import org.tribuo.Dataset;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.classification.Label;

/**
 * A configurable way to build a shifted test stream for a model: which domains (corruptions and severities, or
 * replayed files), in which order (reset per shift, continual, mixed, label-correlated), in batches of which size,
 * from which seed. Its provenance records all of that, so a stream can be rebuilt exactly.
 */
public interface ShiftScenario extends Configurable, Provenancable<ConfiguredObjectProvenance> {

    /**
     * Builds the stream.
     * @param testData The clean test data that corruption scenarios shift; scenarios that replay files ignore it
     * and accept null.
     * @param featureMap The model's features; the stream's feature values follow their ids.
     * @param outputInfo The model's labels; the stream's label ids are theirs.
     * @return The stream.
     * @throws IllegalArgumentException if the data does not fit the model or the scenario.
     */
    TtaStream open(Dataset<Label> testData, ImmutableFeatureMap featureMap, ImmutableOutputInfo<Label> outputInfo);

    /**
     * How domains follow each other.
     * @return The mode.
     */
    StreamMode mode();

    /**
     * The number of examples per batch (the last batch of a domain may be smaller).
     * @return The batch size.
     */
    int batchSize();

    /**
     * The seed of the shifts and the order.
     * @return The seed.
     */
    long seed();

    /**
     * A short human-readable description for reports, e.g. {@code continual, batch 64, Dirichlet 0.1}.
     * @return The description.
     */
    String describe();
}
