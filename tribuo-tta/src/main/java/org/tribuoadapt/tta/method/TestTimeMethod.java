package org.tribuoadapt.tta.method;

import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * A configurable test-time adaptation method: given a trained model, it starts a session that predicts a test
 * stream batch by batch from the inputs alone, adapting as it goes. The model itself is never changed; network
 * methods adapt a private copy of its network. The method's configuration, recorded in its provenance, is
 * everything that changes its predictions besides the model and the stream.
 */
public interface TestTimeMethod extends Configurable, Provenancable<ConfiguredObjectProvenance> {

    /**
     * A short name for tables and charts, e.g. {@code tent} or {@code bn-adapt}.
     * @return The name.
     */
    String name();

    /**
     * Starts adapting a model.
     * @param model The trained model.
     * @param context What the stream and the run provide besides the test inputs.
     * @return A session; the caller closes it.
     * @throws IllegalArgumentException naming the requirement, if the model does not suit the method (for example
     * BN-adapt on a network without BatchNorm, or LAME on a model without probabilities).
     */
    AdaptationSession start(Model<Label> model, AdaptationContext context);
}
