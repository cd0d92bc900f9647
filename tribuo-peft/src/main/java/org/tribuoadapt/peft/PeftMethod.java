package org.tribuoadapt.peft;

import org.tribuoadapt.peft.io.PeftConfigJson;

/**
 * One adapter method as the adapter files know it: its name in Hugging Face PEFT's {@code peft_type} field, its spec
 * class, and how its spec is read from and written to {@code adapter_config.json}. Methods register themselves with
 * {@link java.util.ServiceLoader}: each method package holds an implementation (usually a subclass of
 * {@link AbstractPeftMethod}) and names it in {@code META-INF/services/org.tribuoadapt.peft.PeftMethod}, so adding a
 * method touches only its own package and that file. {@link PeftMethods} collects them.
 *
 * @param <S> The method's spec class.
 */
public interface PeftMethod<S extends AdapterSpec> {

    /**
     * The method's name in PEFT's {@code peft_type} field, e.g. {@code LORA}; unique among the registered methods.
     * @return The type.
     */
    String peftType();

    /**
     * The spec class this method reads and writes; unique among the registered methods.
     * @return The class.
     */
    Class<S> specClass();

    /**
     * Builds the spec from a configuration whose {@code peft_type} is this method's.
     * @param json The configuration.
     * @return The spec.
     * @throws IllegalArgumentException naming the field if the configuration holds values this project cannot honour.
     */
    S read(PeftConfigJson json);

    /**
     * Writes a spec in PEFT's {@code adapter_config.json} form, which {@link #read} reads back to an equal spec.
     * @param spec The spec.
     * @return The configuration.
     */
    default PeftConfigJson write(S spec) {
        return spec.toPeftConfig();
    }
}
