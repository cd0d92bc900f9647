package org.tribuoadapt.tta.method;

import java.util.ArrayList;
import java.util.List;

/**
 * Every method of this package by name, with its default settings, for command lines and benchmarks.
 */
public final class DefaultAdapters {

    /** The names, in the order benchmarks report them. */
    public static final List<String> NAMES = List.of(SourceAdapter.NAME, BatchNormAdapter.NAME,
            AlphaBatchNormAdapter.NAME, TentAdapter.NAME, EataAdapter.NAME, SarAdapter.NAME, LameAdapter.NAME,
            T3AAdapter.NAME, LabelShiftEMAdapter.NAME);

    private DefaultAdapters() {}

    /**
     * A method with its default settings.
     * @param name One of {@link #NAMES}.
     * @return The method.
     * @throws IllegalArgumentException listing the names, for an unknown one.
     */
    public static TestTimeAdapter create(String name) {
        switch (name) {
            case SourceAdapter.NAME:
                return new SourceAdapter();
            case BatchNormAdapter.NAME:
                return new BatchNormAdapter();
            case AlphaBatchNormAdapter.NAME:
                return new AlphaBatchNormAdapter(0.1);
            case TentAdapter.NAME:
                return TentAdapter.withDefaults();
            case EataAdapter.NAME:
                return EataAdapter.withDefaults();
            case SarAdapter.NAME:
                return SarAdapter.withDefaults();
            case LameAdapter.NAME:
                return LameAdapter.withDefaults();
            case T3AAdapter.NAME:
                return new T3AAdapter(100, "head", false);
            case LabelShiftEMAdapter.NAME:
                return new LabelShiftEMAdapter(64, 100, 1e-6);
            default:
                throw new IllegalArgumentException("unknown method '" + name + "'; methods are " + NAMES);
        }
    }

    /**
     * Several methods with their default settings.
     * @param names Method names.
     * @return The methods, in the same order.
     */
    public static List<TestTimeAdapter> create(List<String> names) {
        List<TestTimeAdapter> out = new ArrayList<>();
        for (String name : names) {
            out.add(create(name));
        }
        return out;
    }
}
