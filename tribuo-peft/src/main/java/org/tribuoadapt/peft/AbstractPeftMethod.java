package org.tribuoadapt.peft;

import org.tribuoadapt.peft.io.PeftConfigJson;

import java.util.function.Function;

/**
 * A {@link PeftMethod} made of its type, its spec class and the spec's reader, so that a method's registration is one
 * constructor call:
 * <pre>{@code
 * public final class LoraMethod extends AbstractPeftMethod<LoraSpec> {
 *     public LoraMethod() {
 *         super(LoraSpec.PEFT_TYPE, LoraSpec.class, LoraSpec::fromPeftConfig);
 *     }
 * }
 * }</pre>
 *
 * @param <S> The method's spec class.
 */
public abstract class AbstractPeftMethod<S extends AdapterSpec> implements PeftMethod<S> {

    private final String peftType;
    private final Class<S> specClass;
    private final Function<PeftConfigJson, S> reader;

    /**
     * Creates the registration.
     * @param peftType PEFT's name of the method.
     * @param specClass The spec class.
     * @param reader Builds the spec from a configuration.
     */
    protected AbstractPeftMethod(String peftType, Class<S> specClass, Function<PeftConfigJson, S> reader) {
        this.peftType = peftType;
        this.specClass = specClass;
        this.reader = reader;
    }

    @Override
    public final String peftType() {
        return peftType;
    }

    @Override
    public final Class<S> specClass() {
        return specClass;
    }

    @Override
    public final S read(PeftConfigJson json) {
        return reader.apply(json);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + peftType + " -> " + specClass.getName() + ")";
    }
}
