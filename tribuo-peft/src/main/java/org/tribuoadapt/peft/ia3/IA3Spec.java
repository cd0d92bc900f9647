package org.tribuoadapt.peft.ia3;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.peft.AbstractAdapterSpec;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.io.PeftConfigJson;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * (IA)^3 (Liu et al. 2022, section 3.3): a learned vector rescales each targeted layer's activations. For a
 * feed-forward layer the vector scales the layer's input ({@code W (l ⊙ x)}); for any other it scales the output
 * ({@code l ⊙ (W x + b)}). The vectors start at one, so the adapter starts as a no-op. PEFT's {@code IA3Config}:
 * {@code feedforward_modules} must be among the targets and match a layer whose path ends with the name.
 */
public final class IA3Spec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** PEFT's name for the method. */
    public static final String PEFT_TYPE = "IA3";

    @Config(description = "Targeted layers whose input (not output) is scaled; a layer matches when its path ends with a name.")
    private List<String> feedforwardModules = new ArrayList<>();

    @Config(description = "A full-match regular expression for feed-forward layers, instead of feedforwardModules.")
    private String feedforwardPattern;

    @Config(description = "Start the vectors at one (a no-op); false draws them from N(0, 1).")
    private boolean initialiseToOnes = true;

    /** For OLCUT. */
    private IA3Spec() {}

    /**
     * Creates an IA3 spec whose vectors start at one.
     * @param targets The layers to adapt.
     * @param feedforwardModules The targets whose input is scaled.
     */
    public IA3Spec(AdapterTargets targets, List<String> feedforwardModules) {
        this(targets, feedforwardModules, null, true);
    }

    /**
     * Creates an IA3 spec.
     * @param targets The layers to adapt.
     * @param feedforwardModules The targets whose input is scaled (names matched as path suffixes).
     * @param feedforwardPattern A regular expression for them instead, or null.
     * @param initialiseToOnes Start the vectors at one; false draws them at random.
     */
    public IA3Spec(AdapterTargets targets, List<String> feedforwardModules, String feedforwardPattern, boolean initialiseToOnes) {
        super(targets);
        this.feedforwardModules = new ArrayList<>(feedforwardModules);
        this.feedforwardPattern = feedforwardPattern;
        this.initialiseToOnes = initialiseToOnes;
        postConfig();
    }

    @Override
    public void postConfig() {
        validateTargets();
        if (feedforwardPattern != null && !feedforwardModules.isEmpty()) {
            throw new PropertyException("", "feedforwardPattern", "give feedforwardModules or feedforwardPattern, not both");
        }
        if (!targets().modules().isEmpty()) {
            for (String f : feedforwardModules) {
                if (!targets().modules().contains(f)) {
                    throw new PropertyException("", "feedforwardModules", "feedforwardModules must be a subset of the target "
                            + "modules " + targets().modules() + ", found '" + f + "'");
                }
            }
        }
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    /**
     * Whether a target is treated as feed-forward (its input is scaled), with PEFT's matching rule.
     * @param path The target's path.
     * @return True for a feed-forward target.
     */
    public boolean isFeedforward(String path) {
        if (feedforwardPattern != null) {
            return Pattern.compile(feedforwardPattern).matcher(path).matches();
        }
        for (String f : feedforwardModules) {
            if (path.endsWith(f)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        return new IA3Module(target, context.manager(), isFeedforward(target.path()), initialiseToOnes,
                context.streamFor(target));
    }

    @Override
    public PeftConfigJson toPeftConfig() {
        return basePeftConfig()
                .put("feedforward_modules", feedforwardPattern != null ? feedforwardPattern : feedforwardModules)
                .put("init_ia3_weights", initialiseToOnes)
                .put("fan_in_fan_out", false);
    }

    /**
     * Reads PEFT's {@code IA3Config}.
     * @param json The configuration.
     * @return The spec.
     */
    public static IA3Spec fromPeftConfig(PeftConfigJson json) {
        json.requireUnset("fan_in_fan_out");
        boolean pattern = json.isString("feedforward_modules");
        return new IA3Spec(readTargets(json), pattern ? List.of() : json.strings("feedforward_modules"),
                pattern ? json.string("feedforward_modules", null) : null, json.bool("init_ia3_weights", true));
    }

    @Override
    public String toString() {
        return "IA3Spec(targets=" + targets() + ",modulesToSave=" + modulesToSave() + ",feedforward="
                + (feedforwardPattern != null ? "'" + feedforwardPattern + "'" : feedforwardModules.toString())
                + ",initialiseToOnes=" + initialiseToOnes + ")";
    }
}
