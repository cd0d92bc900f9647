package org.tribuoadapt.peft;

import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.layers.Linear;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which layers of a network an adapter wraps, with PEFT's rules ({@code check_target_module_exists}):
 * <ul>
 *     <li>a pattern is a full-match regular expression over the dotted layer path, or the keyword
 *     {@value #ALL_LINEAR}: every Linear layer except the output layer (the last Linear in forward order);</li>
 *     <li>a list matches a layer whose path equals an entry or ends with {@code "." + entry};</li>
 *     <li>excluded modules use the same rules and win over targets;</li>
 *     <li>layers in {@code modulesToSave} are never targeted (they are trained fully instead).</li>
 * </ul>
 * A target list entry that matches no layer is an error listing the layers that exist.
 */
public final class AdapterTargets implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The keyword for every Linear layer except the output layer. */
    public static final String ALL_LINEAR = "all-linear";

    private final List<String> modules;
    private final String pattern;
    private final List<String> excluded;
    private final List<String> modulesToSave;

    /**
     * Creates targeting rules; exactly one of {@code modules} (non-empty) and {@code pattern} (non-empty) is given.
     * @param modules Layer names matched exactly or as a {@code .name} suffix, or empty.
     * @param pattern A full-match regular expression or {@value #ALL_LINEAR}, or null.
     * @param excluded Layer names never targeted (same matching as {@code modules}).
     * @param modulesToSave Layers trained fully; they are never targeted.
     * @throws IllegalArgumentException if both or neither are given, or the pattern is not a valid regex.
     */
    public AdapterTargets(List<String> modules, String pattern, List<String> excluded, List<String> modulesToSave) {
        boolean hasModules = modules != null && !modules.isEmpty();
        boolean hasPattern = pattern != null && !pattern.isEmpty();
        if (hasModules == hasPattern) {
            throw new IllegalArgumentException("give exactly one of targetModules (a list of layer names) and targetPattern "
                    + "(a full-match regex or '" + ALL_LINEAR + "'), found targetModules=" + modules + ", targetPattern="
                    + (pattern == null ? "null" : "'" + pattern + "'"));
        }
        if (hasPattern && !ALL_LINEAR.equalsIgnoreCase(pattern)) {
            try {
                Pattern.compile(pattern);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("targetPattern '" + pattern + "' is not a valid regular expression: "
                        + e.getDescription(), e);
            }
        }
        this.modules = hasModules ? List.copyOf(modules) : Collections.emptyList();
        this.pattern = hasPattern ? pattern : null;
        this.excluded = excluded == null ? Collections.emptyList() : List.copyOf(excluded);
        this.modulesToSave = modulesToSave == null ? Collections.emptyList() : List.copyOf(modulesToSave);
    }

    /**
     * Targets the layers with these names (exact or {@code .name} suffix).
     * @param names The names.
     * @return The targets.
     */
    public static AdapterTargets modules(String... names) {
        return new AdapterTargets(List.of(names), null, null, null);
    }

    /**
     * Targets the layers whose whole path matches a regular expression.
     * @param regex The expression.
     * @return The targets.
     */
    public static AdapterTargets pattern(String regex) {
        return new AdapterTargets(null, regex, null, null);
    }

    /**
     * Targets every Linear layer except the output layer.
     * @return The targets.
     */
    public static AdapterTargets allLinear() {
        return pattern(ALL_LINEAR);
    }

    /**
     * The same targets, with layers that are trained fully instead.
     * @param names The modules to save, e.g. {@code head}.
     * @return New targets.
     */
    public AdapterTargets saving(String... names) {
        return new AdapterTargets(modules, pattern, excluded, List.of(names));
    }

    /**
     * The same targets, never wrapping the given layers.
     * @param names The excluded names.
     * @return New targets.
     */
    public AdapterTargets excluding(String... names) {
        return new AdapterTargets(modules, pattern, List.of(names), modulesToSave);
    }

    /** @return The listed target names (empty when a pattern is used). */
    public List<String> modules() {
        return modules;
    }

    /** @return The pattern, or null when a list is used. */
    public String pattern() {
        return pattern;
    }

    /** @return The layers trained fully. */
    public List<String> modulesToSave() {
        return modulesToSave;
    }

    /** @return The excluded names. */
    public List<String> excluded() {
        return excluded;
    }

    /**
     * Resolves the targets among a network's base layers.
     * @param layers The network's base layers by dotted path, in forward order (adapter internals excluded).
     * @return The targeted paths, in forward order.
     * @throws IllegalArgumentException listing the layer names if a listed target matches no layer, nothing is
     * targeted, or a targeted layer is not a Linear, Conv2d, BatchNorm or LayerNorm layer.
     */
    public List<String> resolve(Map<String, Layer> layers) {
        List<String> out = new ArrayList<>();
        boolean allLinear = pattern != null && ALL_LINEAR.equalsIgnoreCase(pattern);
        String outputLayer = allLinear ? lastLinear(layers) : null;
        for (Map.Entry<String, Layer> e : layers.entrySet()) {
            String path = e.getKey();
            if (matchesList(excluded, path) || isModuleToSave(modulesToSave, path)) {
                continue;
            }
            boolean matched;
            if (allLinear) {
                matched = e.getValue() instanceof Linear && !path.equals(outputLayer);
            } else if (pattern != null) {
                matched = Pattern.compile(pattern).matcher(path).matches();
            } else {
                matched = matchesList(modules, path);
            }
            if (matched) {
                if (!TargetLayer.isSupported(path, layers)) {
                    throw new IllegalArgumentException("layer '" + path + "' (" + e.getValue().describe() + ") matches the "
                            + "targets " + describe() + ", but adapters target Linear and Conv2d layers only (and "
                            + "BatchNorm and LayerNorm layers with the methods that tune normalisation, and residual "
                            + "branches of Transformer blocks with bottleneck adapters)");
                }
                out.add(path);
            }
        }
        for (String name : modules) {
            if (layers.keySet().stream().noneMatch(path -> matches(name, path))) {
                throw new IllegalArgumentException("target module '" + name + "' not found; layers are: "
                        + String.join(", ", layers.keySet()));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("the targets " + describe() + " match no Linear, Conv2d, BatchNorm or LayerNorm "
                    + "layer or residual branch; layers are: "
                    + String.join(", ", layers.keySet()));
        }
        return out;
    }

    /**
     * Whether a layer path is one of the listed names: equal to an entry or ending with {@code "." + entry}.
     * @param names The names.
     * @param path The layer path.
     * @return True if it matches.
     */
    public static boolean matchesList(List<String> names, String path) {
        for (String name : names) {
            if (matches(name, path)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(String name, String path) {
        return path.equals(name) || path.endsWith("." + name);
    }

    /**
     * PEFT's rule for modules to save: the name is a whole dotted component sequence of the path (the module itself or
     * one of its descendants).
     */
    private static boolean isModuleToSave(List<String> names, String path) {
        for (String name : names) {
            if (Pattern.compile("(^|.*\\.)" + Pattern.quote(name) + "($|\\..*)").matcher(path).matches()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The output layer: the last Linear layer in forward order.
     * @param layers The base layers.
     * @return Its path, or null if there is no Linear layer.
     */
    public static String lastLinear(Map<String, Layer> layers) {
        String last = null;
        for (Map.Entry<String, Layer> e : layers.entrySet()) {
            if (e.getValue() instanceof Linear) {
                last = e.getKey();
            }
        }
        return last;
    }

    /**
     * A short description for messages and PEFT's {@code target_modules}.
     * @return The pattern in quotes or the list.
     */
    public String describe() {
        return pattern != null ? "'" + pattern + "'" : modules.toString();
    }

    @Override
    public String toString() {
        return "AdapterTargets(" + describe() + (excluded.isEmpty() ? "" : ", excluded=" + excluded) + ")";
    }
}
