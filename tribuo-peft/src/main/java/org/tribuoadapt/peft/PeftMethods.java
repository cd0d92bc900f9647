package org.tribuoadapt.peft;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.peft.io.PeftConfigJson;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The registry of adapter methods: every {@link PeftMethod} named in
 * {@code META-INF/services/org.tribuoadapt.peft.PeftMethod} on the class path, loaded once. It maps PEFT's
 * {@code peft_type} to the method that reads it and a spec class to the method that writes it, and refuses two methods
 * claiming one type or one spec class.
 */
public final class PeftMethods {

    /** The service file that lists the methods. */
    public static final String SERVICE_FILE = "META-INF/services/" + PeftMethod.class.getName();

    private final Map<String, PeftMethod<?>> byType = new LinkedHashMap<>();
    private final Map<Class<?>, PeftMethod<?>> byClass = new LinkedHashMap<>();

    /**
     * Indexes methods.
     * @param methods The methods, in registration order.
     * @throws IllegalStateException naming both methods if two claim one {@code peft_type} or one spec class, or
     * naming a method without a type or spec class.
     */
    PeftMethods(Iterable<? extends PeftMethod<?>> methods) {
        for (PeftMethod<?> method : methods) {
            String type = method.peftType();
            Class<?> specClass = method.specClass();
            if (type == null || type.isBlank() || specClass == null) {
                throw new IllegalStateException("PEFT method " + method.getClass().getName() + " has peft_type '" + type
                        + "' and spec class " + specClass + "; both must be set");
            }
            PeftMethod<?> sameType = byType.putIfAbsent(type, method);
            if (sameType != null) {
                throw new IllegalStateException("PEFT methods " + sameType.getClass().getName() + " and "
                        + method.getClass().getName() + " both register peft_type '" + type + "'; remove one of them from "
                        + SERVICE_FILE);
            }
            PeftMethod<?> sameClass = byClass.putIfAbsent(specClass, method);
            if (sameClass != null) {
                throw new IllegalStateException("PEFT methods " + sameClass.getClass().getName() + " and "
                        + method.getClass().getName() + " both register spec class " + specClass.getName()
                        + "; remove one of them from " + SERVICE_FILE);
            }
        }
    }

    /**
     * The methods registered on the class path, loaded on first use.
     * @return The registry.
     * @throws IllegalStateException if two registered methods claim one type or spec class.
     */
    public static PeftMethods installed() {
        return Installed.REGISTRY;
    }

    /** @return The registered types, in registration order. */
    public List<String> types() {
        return List.copyOf(byType.keySet());
    }

    /** @return The registered methods, in registration order. */
    public Collection<PeftMethod<?>> methods() {
        return Collections.unmodifiableCollection(byType.values());
    }

    /**
     * The method of a type.
     * @param peftType PEFT's name of the method.
     * @return The method.
     * @throws IllegalArgumentException naming the type and listing the registered ones if it is not registered.
     */
    public PeftMethod<?> forType(String peftType) {
        PeftMethod<?> method = byType.get(peftType);
        if (method == null) {
            throw new IllegalArgumentException("peft_type '" + peftType + "' is not supported; supported types are " + types());
        }
        return method;
    }

    /**
     * Reads the spec an {@code adapter_config.json} describes, with the method its {@code peft_type} names.
     * @param json The configuration.
     * @return The spec.
     * @throws IllegalArgumentException starting with the configuration's source: for a missing or unknown
     * {@code peft_type} (listing the registered types), or for values the method cannot honour.
     */
    public AdapterSpec read(PeftConfigJson json) {
        String type = json.peftType();
        if (type == null) {
            throw new IllegalArgumentException(json.source() + " has no peft_type; expected one of " + types());
        }
        PeftMethod<?> method;
        try {
            method = forType(type);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(json.source() + ": " + e.getMessage(), e);
        }
        try {
            return method.read(json);
        } catch (IllegalArgumentException | PropertyException e) {
            throw new IllegalArgumentException(json.source() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes a spec in PEFT's {@code adapter_config.json} form, with the method registered for its class, so that
     * every file written can be read back.
     * @param spec The spec.
     * @return The configuration.
     * @throws IllegalArgumentException naming the class and listing the registered ones if no method writes it.
     */
    public PeftConfigJson write(AdapterSpec spec) {
        PeftMethod<?> method = byClass.get(spec.getClass());
        if (method == null) {
            List<String> classes = new ArrayList<>();
            byClass.keySet().forEach(c -> classes.add(c.getSimpleName()));
            throw new IllegalArgumentException("no PEFT method is registered for spec class " + spec.getClass().getName()
                    + ", so its adapter file could not be read back; register one in " + SERVICE_FILE
                    + " (registered spec classes are " + classes + ")");
        }
        return write(method, spec);
    }

    private static <S extends AdapterSpec> PeftConfigJson write(PeftMethod<S> method, AdapterSpec spec) {
        PeftConfigJson json = method.write(method.specClass().cast(spec));
        if (!method.peftType().equals(json.peftType())) {
            throw new IllegalStateException(method.getClass().getName() + " wrote peft_type '" + json.peftType()
                    + "' for a " + spec.getClass().getSimpleName() + ", but it is registered for '" + method.peftType() + "'");
        }
        return json;
    }

    @Override
    public String toString() {
        return "PeftMethods" + methods();
    }

    /** Loads the registered methods once, on first use. */
    private static final class Installed {
        static final PeftMethods REGISTRY = load();

        private static PeftMethods load() {
            List<PeftMethod<?>> methods = new ArrayList<>();
            for (PeftMethod<?> method : ServiceLoader.load(PeftMethod.class, PeftMethods.class.getClassLoader())) {
                methods.add(method);
            }
            return new PeftMethods(methods);
        }
    }
}
