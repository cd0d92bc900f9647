package org.tribuoadapt.core.nn;

import java.util.Arrays;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Chooses, once per JVM, the {@link KernelPath} that convolutions and GELU take, so that training is correct and
 * bit-identical from run to run on every x86-64 CPU without any environment variable.
 * <p>
 * The system property {@value #PROPERTY} decides: {@code auto} (the default) runs {@link KernelSelfCheck} on first use
 * and keeps oneDNN only if it passes; {@code onednn} or {@code portable} force a path. The choice and its reason are
 * logged once and recorded in every model's provenance ({@code kernel-path}). See docs/troubleshooting.md for the
 * defect this guards against.
 */
public final class Kernels {

    /** The system property that selects the kernel path: {@code auto}, {@code onednn} or {@code portable}. */
    public static final String PROPERTY = "tribuoadapt.kernels";

    private static final Logger logger = Logger.getLogger(Kernels.class.getName());

    private static volatile Choice choice;

    private Kernels() {}

    /**
     * The kernel path of this JVM, chosen on the first call.
     * @return The path.
     * @throws IllegalArgumentException if {@value #PROPERTY} names no known setting.
     */
    public static KernelPath path() {
        return choice().path();
    }

    /**
     * Why this JVM runs on {@link #path()}: the check's outcome, or the forcing property.
     * @return A one-line reason.
     */
    public static String reason() {
        return choice().reason();
    }

    /**
     * Whether convolutions and GELU avoid oneDNN in this JVM.
     * @return True on the portable path.
     */
    public static boolean portable() {
        return path() == KernelPath.PORTABLE;
    }

    private static Choice choice() {
        Choice current = choice;
        if (current == null) {
            synchronized (Kernels.class) {
                current = choice;
                if (current == null) {
                    current = choose(System.getProperty(PROPERTY, "auto"));
                    choice = current;
                }
            }
        }
        return current;
    }

    static Choice choose(String setting) {
        String normalised = setting.trim().toLowerCase(Locale.ROOT);
        for (KernelPath path : KernelPath.values()) {
            if (path.setting().equals(normalised)) {
                Choice forced = new Choice(path, "forced by -D" + PROPERTY + "=" + normalised);
                logger.info("kernel path: " + path.setting() + " (" + forced.reason() + ")");
                return forced;
            }
        }
        if (!normalised.equals("auto")) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + setting + " is not a kernel path; use auto, "
                    + String.join(", ", Arrays.stream(KernelPath.values()).map(KernelPath::setting).toList()));
        }
        KernelSelfCheck.Outcome outcome = KernelSelfCheck.run();
        if (outcome.passed()) {
            logger.fine("kernel path: onednn (" + outcome.description() + ")");
            return new Choice(KernelPath.ONEDNN, outcome.description());
        }
        logger.log(Level.WARNING, "kernel path: portable, because oneDNN failed the start-up check: "
                + outcome.description() + ". Convolutions run as unfold + matrix product and GELU through erf: "
                + "correct and reproducible, but slower; see docs/troubleshooting.md");
        return new Choice(KernelPath.PORTABLE, "oneDNN failed the start-up check: " + outcome.description());
    }

    record Choice(KernelPath path, String reason) {}
}
