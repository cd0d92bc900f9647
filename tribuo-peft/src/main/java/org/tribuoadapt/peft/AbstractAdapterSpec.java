package org.tribuoadapt.peft;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuoadapt.peft.io.PeftConfigJson;

import java.util.ArrayList;
import java.util.List;

/**
 * The targeting fields every adapter method shares (PEFT's {@code target_modules}, {@code exclude_modules} and
 * {@code modules_to_save}), their validation, and their PEFT JSON form. Method specs extend it with their own
 * {@code @Config} fields and call {@link #validateTargets()} from {@code postConfig}.
 */
public abstract class AbstractAdapterSpec implements AdapterSpec {
    private static final long serialVersionUID = 1L;

    @Config(description = "Layers to wrap, matched by exact name or by a '.name' suffix. Give this or targetPattern.")
    private List<String> targetModules = new ArrayList<>();

    @Config(description = "A full-match regular expression over layer paths, or 'all-linear' (every Linear layer except "
            + "the output layer). Give this or targetModules.")
    private String targetPattern;

    @Config(description = "Layers never wrapped, matched by exact name or '.name' suffix.")
    private List<String> excludeModules = new ArrayList<>();

    @Config(description = "Layers trained fully and saved with the adapter, e.g. a new head.")
    private List<String> modulesToSave = new ArrayList<>();

    private AdapterTargets targets;

    /** For OLCUT. */
    protected AbstractAdapterSpec() {}

    /**
     * Creates a spec with the given targets.
     * @param targets The targets (with their excluded modules and modules to save).
     */
    protected AbstractAdapterSpec(AdapterTargets targets) {
        this.targetModules = new ArrayList<>(targets.modules());
        this.targetPattern = targets.pattern();
        this.excludeModules = new ArrayList<>(targets.excluded());
        this.modulesToSave = new ArrayList<>(targets.modulesToSave());
        this.targets = targets;
    }

    /**
     * Builds and checks the targets.
     * @throws PropertyException if both or neither of targetModules and targetPattern are set, or the pattern is
     * not a regular expression.
     */
    protected final void validateTargets() {
        try {
            targets = new AdapterTargets(targetModules, targetPattern, excludeModules, modulesToSave);
        } catch (IllegalArgumentException e) {
            throw new PropertyException(e, "", targetPattern == null ? "targetModules" : "targetPattern", e.getMessage());
        }
    }

    @Override
    public AdapterTargets targets() {
        return targets;
    }

    @Override
    public List<String> modulesToSave() {
        return targets.modulesToSave();
    }

    /**
     * Checks a count setting such as a rank.
     * @param field The field's name.
     * @param value Its value.
     * @throws PropertyException naming the field unless the value is at least 1.
     */
    protected static void requirePositive(String field, int value) {
        if (value < 1) {
            throw new PropertyException("", field, field + " must be a positive integer, found " + value);
        }
    }

    /**
     * Checks a scale setting such as alpha.
     * @param field The field's name.
     * @param value Its value.
     * @throws PropertyException naming the field unless the value is positive and finite.
     */
    protected static void requirePositive(String field, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new PropertyException("", field, field + " must be positive and finite, found " + value);
        }
    }

    /**
     * Checks a dropout probability.
     * @param field The field's name.
     * @param value Its value.
     * @throws PropertyException naming the field unless the value is in [0, 1).
     */
    protected static void requireDropout(String field, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new PropertyException("", field, field + " must be in [0, 1), found " + value);
        }
    }

    /**
     * Reads PEFT's targeting fields.
     * @param json The configuration.
     * @return The targets.
     * @throws IllegalArgumentException if the configuration uses targeting features this project does not implement.
     */
    protected static AdapterTargets readTargets(PeftConfigJson json) {
        json.requireUnset("layers_to_transform");
        json.requireUnset("layers_pattern");
        json.requireUnset("target_parameters");
        if (json.isString("exclude_modules")) {
            throw new IllegalArgumentException("exclude_modules as a regular expression is not supported; list the "
                    + "module names instead");
        }
        List<String> exclude = json.strings("exclude_modules");
        List<String> save = json.strings("modules_to_save");
        if (json.isString("target_modules")) {
            return new AdapterTargets(null, json.string("target_modules", null), exclude, save);
        }
        List<String> modules = json.strings("target_modules");
        if (modules.isEmpty()) {
            throw new IllegalArgumentException("the adapter configuration has no target_modules");
        }
        return new AdapterTargets(modules, null, exclude, save);
    }

    /**
     * Starts this spec's PEFT configuration with the fields every method has.
     * @return The configuration, to which the method adds its own fields.
     */
    protected final PeftConfigJson basePeftConfig() {
        PeftConfigJson json = PeftConfigJson.create(peftType())
                .put("task_type", null)
                .put("base_model_name_or_path", null)
                .put("revision", null)
                .put("inference_mode", true)
                .put("layers_to_transform", null)
                .put("layers_pattern", null);
        json.put("target_modules", targets.pattern() != null ? targets.pattern() : targets.modules());
        json.put("exclude_modules", targets.excluded().isEmpty() ? null : targets.excluded());
        json.put("modules_to_save", targets.modulesToSave().isEmpty() ? null : targets.modulesToSave());
        return json;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "AdapterSpec");
    }
}
