package org.tribuoadapt.peft.delta;

import org.tribuoadapt.peft.AbstractAdapterSpec;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.io.PeftConfigJson;

import java.util.Set;

/**
 * The configuration shared by the methods that unfreeze some of the targets' own parameters ({@link
 * ParameterTuningModule}): which parameters they tune and which layer kinds they accept. They have no settings beyond
 * their targets; their {@code adapter_config.json} holds PEFT's common fields under their own {@code peft_type}.
 */
public abstract class ParameterTuningSpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** For OLCUT. */
    protected ParameterTuningSpec() {}

    /**
     * Creates a spec.
     * @param targets The layers whose parameters are tuned.
     */
    protected ParameterTuningSpec(AdapterTargets targets) {
        super(targets);
    }

    @Override
    public void postConfig() {
        validateTargets();
    }

    /** @return The layer kinds this method tunes. */
    protected abstract Set<TargetLayer.Kind> kinds();

    /** @return True if the weight (a normalisation layer's scale) is tuned. */
    protected abstract boolean tunesWeight();

    @Override
    public boolean supports(TargetLayer.Kind kind) {
        return kinds().contains(kind);
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        return new ParameterTuningModule(target, context.manager(), tunesWeight(), true);
    }

    @Override
    public PeftConfigJson toPeftConfig() {
        return basePeftConfig();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(targets=" + targets() + ",modulesToSave=" + modulesToSave() + ")";
    }
}
