package org.tribuoadapt.examples;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Starts the command line again, once, with {@code OMP_WAIT_POLICY=PASSIVE} in its environment, so that PyTorch's
 * OpenMP worker threads sleep instead of spinning while they wait for work.
 * <p>
 * libgomp reads the policy from the environment when PyTorch's natives load, and a running JVM cannot change its own
 * environment. With the default (active) policy every worker spins between parallel regions: on two cores the
 * spinning threads take CPU from the JVM's own threads, and while another CPU-bound process runs a training step can
 * take many times longer (docs/troubleshooting.md has the measurements). The policy changes no result.
 * <p>
 * The child also gets {@code MKL_DYNAMIC=FALSE} unless it is set: MKL then always uses the intra-op thread count for
 * its matrix products instead of choosing fewer threads at run time, which could split a product's sums differently
 * from one run to the next. On the development machine it changes no result of the main job.
 * <p>
 * Nothing is relaunched when {@code OMP_WAIT_POLICY} is already set (the user's choice is kept), or with
 * {@code -Dtribuoadapt.relaunch=false}. The relaunched JVM gets the same JVM options, class path and arguments; its
 * exit status becomes this one's.
 */
final class PassiveThreadsLauncher {

    /** The environment variable libgomp reads. */
    static final String WAIT_POLICY = "OMP_WAIT_POLICY";
    /** The environment variable that lets MKL choose fewer threads than the intra-op count. */
    static final String MKL_DYNAMIC = "MKL_DYNAMIC";
    /** The system property that turns relaunching off. */
    static final String RELAUNCH_PROPERTY = "tribuoadapt.relaunch";

    private PassiveThreadsLauncher() {}

    /**
     * Runs the command line in a child JVM with the passive wait policy, when that is needed and possible.
     * @param mainClass The class whose {@code main} the child runs.
     * @param args The command-line arguments.
     * @return The child's exit status, or empty when the command should run in this JVM.
     */
    static OptionalInt relaunchIfNeeded(Class<?> mainClass, String[] args) {
        if (System.getenv(WAIT_POLICY) != null || !Boolean.parseBoolean(System.getProperty(RELAUNCH_PROPERTY, "true"))) {
            return OptionalInt.empty();
        }
        Optional<String> java = ProcessHandle.current().info().command();
        if (java.isEmpty()) {
            return OptionalInt.empty();
        }
        List<String> command = new ArrayList<>();
        command.add(java.get());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().put(WAIT_POLICY, "PASSIVE");
        builder.environment().putIfAbsent(MKL_DYNAMIC, "FALSE");
        try {
            Process child = builder.start();
            Thread stopChild = new Thread(child::destroy, "stop-relaunched-cli");
            Runtime.getRuntime().addShutdownHook(stopChild);
            int status = waitFor(child);
            Runtime.getRuntime().removeShutdownHook(stopChild);
            return OptionalInt.of(status);
        } catch (IOException e) {
            System.err.println("tribuo-adapt: could not restart with " + WAIT_POLICY + "=PASSIVE (" + e.getMessage()
                    + "); running with PyTorch's spinning threads");
            return OptionalInt.empty();
        }
    }

    private static int waitFor(Process child) {
        while (true) {
            try {
                return child.waitFor();
            } catch (InterruptedException e) {
                child.destroy();
                Thread.currentThread().interrupt();
            }
        }
    }
}
