package org.tribuoadapt.hpo.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * The searched properties of a study, each named {@code component.property} exactly as the command line's
 * {@code --@component.property value} override, in a fixed order (the order samplers draw them in).
 * <p>
 * The text form, one entry per property, is {@code name=kind:arguments} with the kinds
 * <ul>
 *     <li>{@code float:low:high}, {@code float:low:high:log}, {@code float:low:high:step=s};</li>
 *     <li>{@code int:low:high}, {@code int:low:high:log}, {@code int:low:high:step=s};</li>
 *     <li>{@code categorical:a,b,c};</li>
 *     <li>{@code list:minLength:maxLength:kind:arguments}, for a list-valued property such as an MLP's
 *     {@code hiddenSizes} or a Transformer's per-layer widths: its length is the integer parameter
 *     {@code name[length]} and element {@code i} is the parameter {@code name[i]} of the given kind, which exists
 *     only when the length exceeds {@code i}. This is a DeepArchitect-style composable space (Negrinho and Gordon
 *     2017): the depth and each layer's width or block type are searched together. The configuration receives the
 *     elements as one list-valued override.</li>
 *     <li>{@code list:length=other.property:kind:arguments}, a list whose length is the earlier integer parameter
 *     {@code other.property} (its lower bound at least 1), so that several per-layer lists and a depth property
 *     agree, as a Transformer's {@code depth}, {@code layerHeads} and {@code layerMlpDims} must.</li>
 * </ul>
 * Any entry may end with {@code " if parent=v1,v2"}: the parameter is then conditional (see {@link Condition}) and
 * exists only when the earlier categorical or integer parameter {@code parent} took one of those values.
 */
public final class SearchSpace {

    private static final Pattern LIST_ELEMENT = Pattern.compile("(.+)\\[(length|\\d+)]");
    private static final String CONDITION = " if ";

    private final Map<String, Distribution> distributions;
    private final Map<String, Condition> conditions;
    private final Map<String, String> listLengths;

    /**
     * Creates a space without conditional parameters.
     * @param distributions The distributions by property name; iteration order is kept.
     */
    public SearchSpace(Map<String, Distribution> distributions) {
        this(distributions, Map.of());
    }

    /**
     * Creates a space.
     * @param distributions The distributions by property name; iteration order is kept, and is the order in which
     * parameters are drawn.
     * @param conditions The conditions of the conditional parameters, by name; each parent must be an earlier
     * categorical or integer parameter of the space.
     */
    public SearchSpace(Map<String, Distribution> distributions, Map<String, Condition> conditions) {
        this(distributions, conditions, Map.of());
    }

    /**
     * Creates a space with list properties.
     * @param distributions The distributions by property name; iteration order is kept, and is the order in which
     * parameters are drawn.
     * @param conditions The conditions of the conditional parameters, by name; each parent must be an earlier
     * categorical or integer parameter of the space.
     * @param listLengths For each list property {@code name}, the integer parameter holding its length; its elements
     * are the parameters {@code name[0]} up to {@code name[high - 1]}, element {@code i} conditional on the length
     * exceeding {@code i} when {@code i} is not below the length's lower bound.
     */
    public SearchSpace(Map<String, Distribution> distributions, Map<String, Condition> conditions,
                       Map<String, String> listLengths) {
        if (distributions.isEmpty()) {
            throw new IllegalArgumentException("the search space is empty; give at least one component.property to search");
        }
        for (String name : distributions.keySet()) {
            int dot = name.indexOf('.');
            if (dot <= 0 || dot == name.length() - 1) {
                throw new IllegalArgumentException("searched property '" + name + "' must be named component.property");
            }
        }
        List<String> order = List.copyOf(distributions.keySet());
        for (Map.Entry<String, Condition> e : conditions.entrySet()) {
            String name = e.getKey();
            String parent = e.getValue().parent();
            if (!distributions.containsKey(name)) {
                throw new IllegalArgumentException("condition on '" + name + "', which is not searched");
            }
            int parentIndex = order.indexOf(parent);
            if (parentIndex < 0 || parentIndex >= order.indexOf(name)) {
                throw new IllegalArgumentException("'" + name + "' depends on '" + parent
                        + "', which must be searched before it");
            }
            if (distributions.get(parent) instanceof FloatDistribution) {
                throw new IllegalArgumentException("'" + name + "' depends on the float parameter '" + parent
                        + "'; a condition's parent must be categorical or integer");
            }
        }
        listLengths.forEach((list, length) -> {
            if (!(distributions.get(length) instanceof IntDistribution d) || d.low() < 1) {
                throw new IllegalArgumentException("the length of list '" + list + "' must be a searched integer "
                        + "parameter with a lower bound of at least 1, found '" + length + "' " + distributions.get(length));
            }
            for (long i = 0; i < d.high(); i++) {
                String element = list + "[" + i + "]";
                if (!distributions.containsKey(element) || order.indexOf(element) < order.indexOf(length)) {
                    throw new IllegalArgumentException("list '" + list + "' needs its element '" + element
                            + "' searched after its length '" + length + "'");
                }
            }
        });
        this.distributions = Collections.unmodifiableMap(new LinkedHashMap<>(distributions));
        this.conditions = Collections.unmodifiableMap(new LinkedHashMap<>(conditions));
        this.listLengths = Collections.unmodifiableMap(new LinkedHashMap<>(listLengths));
    }

    /**
     * Parses the text form (see the class documentation).
     * @param entries One {@code name=kind:arguments} per property.
     * @return The space.
     */
    public static SearchSpace parse(List<String> entries) {
        Map<String, Distribution> out = new LinkedHashMap<>();
        Map<String, Condition> conditions = new LinkedHashMap<>();
        Map<String, String> listLengths = new LinkedHashMap<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("search space entry '" + entry + "' must read component.property=kind:arguments");
            }
            String name = entry.substring(0, eq).trim();
            if (LIST_ELEMENT.matcher(name).matches()) {
                throw new IllegalArgumentException("search space entry '" + name + "': names ending in [...] are "
                        + "reserved for the elements of list parameters");
            }
            String text = entry.substring(eq + 1).trim();
            Condition condition = null;
            int cond = text.indexOf(CONDITION);
            if (cond >= 0) {
                condition = parseCondition(name, text.substring(cond + CONDITION.length()).trim());
                text = text.substring(0, cond).trim();
            }
            Map<String, Distribution> parsed = new LinkedHashMap<>();
            Map<String, Condition> parsedConditions = new LinkedHashMap<>();
            if (text.startsWith("list:")) {
                listLengths.put(name, parseList(name, text, out, parsed, parsedConditions));
            } else {
                parsed.put(name, parseDistribution(name, text));
            }
            if (condition != null) {
                parsedConditions.putIfAbsent(parsed.keySet().iterator().next(), condition);
            }
            for (Map.Entry<String, Distribution> p : parsed.entrySet()) {
                if (out.put(p.getKey(), p.getValue()) != null) {
                    throw new IllegalArgumentException("search space names '" + name + "' twice");
                }
            }
            conditions.putAll(parsedConditions);
        }
        return new SearchSpace(out, conditions, listLengths);
    }

    private static Condition parseCondition(String name, String text) {
        int eq = text.indexOf('=');
        if (eq <= 0 || eq == text.length() - 1) {
            throw new IllegalArgumentException("search space entry for '" + name + "': the condition '" + text
                    + "' must read parent=value1,value2");
        }
        return new Condition(text.substring(0, eq).trim(),
                Arrays.stream(text.substring(eq + 1).split(",")).map(String::trim).collect(Collectors.toSet()));
    }

    // list:min:max:kind:args adds name[length] = int:min:max; list:length=other:kind:args uses the earlier integer
    // parameter other; then name[i] = kind:args, conditional on the length exceeding i where it may not
    private static String parseList(String name, String text, Map<String, Distribution> earlier,
                                    Map<String, Distribution> out, Map<String, Condition> conditions) {
        String[] parts = text.split(":", 3);
        String length;
        String elementText;
        if (parts.length == 3 && parts[1].startsWith("length=")) {
            length = parts[1].substring("length=".length()).trim();
            elementText = parts[2];
            if (!(earlier.get(length) instanceof IntDistribution d) || d.low() < 1) {
                throw new IllegalArgumentException("search space entry for '" + name + "' (" + text + "): its length '"
                        + length + "' must be an earlier int parameter with a lower bound of at least 1");
            }
        } else {
            parts = text.split(":", 4);
            if (parts.length != 4) {
                throw new IllegalArgumentException("search space entry for '" + name + "' (" + text
                        + "): expected list:minLength:maxLength:kind:arguments or list:length=component.property:kind:arguments");
            }
            long min;
            long max;
            try {
                min = Long.parseLong(parts[1]);
                max = Long.parseLong(parts[2]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("search space entry for '" + name + "' (" + text
                        + "): the list lengths must be integers", e);
            }
            if (min < 1 || max < min) {
                throw new IllegalArgumentException("search space entry for '" + name + "' (" + text
                        + "): list lengths need 1 <= minLength <= maxLength, found " + min + " and " + max);
            }
            length = name + "[length]";
            elementText = parts[3];
            out.put(length, new IntDistribution(min, max, false, 1));
        }
        if (elementText.startsWith("list:")) {
            throw new IllegalArgumentException("search space entry for '" + name + "': lists of lists are not supported");
        }
        IntDistribution lengths = (IntDistribution) (out.containsKey(length) ? out.get(length) : earlier.get(length));
        for (long i = 0; i < lengths.high(); i++) {
            String element = name + "[" + i + "]";
            Distribution distribution = parseDistribution(element, elementText);
            out.put(element, distribution);
            if (i >= lengths.low()) {
                conditions.put(element, new Condition(length, LongStream.rangeClosed(i + 1, lengths.high())
                        .mapToObj(Long::toString).collect(Collectors.toSet())));
            }
        }
        return length;
    }

    private static Distribution parseDistribution(String name, String text) {
        String[] parts = text.split(":");
        String kind = parts[0];
        try {
            switch (kind) {
                case "categorical":
                    if (parts.length != 2) {
                        throw new IllegalArgumentException("expected categorical:a,b,c");
                    }
                    return new CategoricalDistribution(Arrays.stream(parts[1].split(",")).map(String::trim).toList());
                case "float":
                case "int":
                    if (parts.length < 3 || parts.length > 4) {
                        throw new IllegalArgumentException("expected " + kind + ":low:high[:log|:step=s]");
                    }
                    String option = parts.length == 4 ? parts[3] : "";
                    boolean log = option.equals("log");
                    String step = option.startsWith("step=") ? option.substring(5) : null;
                    if (!option.isEmpty() && !log && step == null) {
                        throw new IllegalArgumentException("unknown option '" + option + "'; expected log or step=s");
                    }
                    if (kind.equals("float")) {
                        return new FloatDistribution(Double.parseDouble(parts[1]), Double.parseDouble(parts[2]), log,
                                step == null ? null : Double.valueOf(step));
                    }
                    return new IntDistribution(Long.parseLong(parts[1]), Long.parseLong(parts[2]), log,
                            step == null ? 1 : Long.parseLong(step));
                default:
                    throw new IllegalArgumentException("unknown kind '" + kind + "'; expected float, int or categorical");
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("search space entry for '" + name + "' (" + text + "): " + e.getMessage(), e);
        }
    }

    /**
     * The distributions, in search order.
     * @return The property names and their distributions.
     */
    public Map<String, Distribution> distributions() {
        return distributions;
    }

    /**
     * The conditions of the conditional parameters (list elements beyond the minimum length included).
     * @return The conditions by parameter name.
     */
    public Map<String, Condition> conditions() {
        return conditions;
    }

    /**
     * Whether a parameter exists in a trial, given the values drawn before it.
     * @param name The parameter.
     * @param drawn External values by parameter name, of the parameters drawn so far.
     * @return True for an unconditional parameter, or a conditional one whose condition holds.
     */
    public boolean isActive(String name, Map<String, ?> drawn) {
        Condition condition = conditions.get(name);
        return condition == null || condition.holds(drawn);
    }

    /**
     * The parameters that every trial has, for the samplers that model a fixed space (Optuna's relative samplers
     * model the intersection of the trials' spaces and draw the other parameters independently).
     * @return The space of the unconditional parameters.
     */
    public SearchSpace unconditional() {
        Map<String, Distribution> out = new LinkedHashMap<>(distributions);
        out.keySet().removeAll(conditions.keySet());
        return new SearchSpace(out);
    }

    /**
     * The list-valued properties the space searches.
     * @return The property names, each searched as {@code name[length]} and {@code name[i]}.
     */
    public Set<String> listProperties() {
        return listLengths.keySet();
    }

    // the list property a list element or generated length parameter belongs to, or null
    private String listOf(String name) {
        Matcher m = LIST_ELEMENT.matcher(name);
        return m.matches() && listLengths.containsKey(m.group(1)) ? m.group(1) : null;
    }

    /**
     * The configuration properties the space sets: its parameters, with each list property's length and elements
     * counted once under the property's own name.
     * @return The {@code component.property} names, in search order.
     */
    public Set<String> properties() {
        return distributions.keySet().stream().map(name -> listOf(name) == null ? name : listOf(name))
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /**
     * Turns a trial's parameters into property overrides: each list property's {@code name[length]} and
     * {@code name[i]} become one {@code List<String>} value of {@code name}; other entries (those of the space and any
     * others, such as a seed) pass through.
     * @param params External values by parameter name.
     * @return Override values by property name, in the parameters' order.
     */
    public Map<String, Object> overrides(Map<String, ?> params) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : params.entrySet()) {
            String list = listOf(e.getKey());
            if (list == null) {
                out.put(e.getKey(), e.getValue());
            } else if (!out.containsKey(list)) {
                out.put(list, listValue(list, params));
            }
        }
        return out;
    }

    private List<String> listValue(String list, Map<String, ?> params) {
        String lengthName = listLengths.get(list);
        if (!(params.get(lengthName) instanceof Number length)) {
            throw new IllegalArgumentException("parameters hold elements of list '" + list + "' but not its length '"
                    + lengthName + "'");
        }
        List<String> values = new ArrayList<>();
        for (long i = 0; i < length.longValue(); i++) {
            Object v = params.get(list + "[" + i + "]");
            if (v == null) {
                throw new IllegalArgumentException("list '" + list + "' has length " + length + " but no element " + i);
            }
            values.add(String.valueOf(v));
        }
        return List.copyOf(values);
    }

    @Override
    public String toString() {
        return "SearchSpace" + distributions + (conditions.isEmpty() ? "" : " with conditions " + conditions);
    }
}
