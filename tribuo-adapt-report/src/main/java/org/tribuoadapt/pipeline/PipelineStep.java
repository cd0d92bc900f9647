package org.tribuoadapt.pipeline;

import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;

import java.io.IOException;

/**
 * One configurable step of a {@link Pipeline} (the main job): for example training the source network,
 * fine-tuning it with an adapter, building a robust classifier or replaying shifted test streams. A step reads
 * datasets and models from the {@link PipelineContext}, publishes what later steps need, and adds its own section
 * and provenance to the run's report.
 */
public interface PipelineStep extends Configurable, Provenancable<ConfiguredObjectProvenance> {

    /**
     * The title of this step's report section.
     * @return The title.
     */
    String title();

    /**
     * Runs the step.
     * @param context The run's shared state.
     * @throws IOException if reading or writing files fails.
     */
    void run(PipelineContext context) throws IOException;
}
