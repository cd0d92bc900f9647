package org.tribuoadapt.core.nn;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;

import java.util.logging.Logger;

/**
 * The one place that starts DJL's PyTorch engine, so that every network in Tribuo Adapt runs on the same engine,
 * offline, on the CPU, with a known thread count.
 * <p>
 * DJL is switched to offline mode ({@code ai.djl.offline=true}) unless the property is already set; the PyTorch
 * natives come from the {@code pytorch-native-cpu} jar on the class path. The intra-op thread count is read from
 * {@code ai.djl.pytorch.num_threads} by the engine; results are bit-identical only for the same thread count, so
 * it is recorded in every model's provenance. Without {@code OMP_WAIT_POLICY=PASSIVE} in the environment PyTorch's
 * OpenMP threads spin between parallel regions; that is logged once.
 */
public final class DjlRuntime {

    /** The name of the DJL engine used for every network. */
    public static final String ENGINE_NAME = "PyTorch";

    static {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getenv("OMP_WAIT_POLICY") == null) {
            Logger.getLogger(DjlRuntime.class.getName()).info("OMP_WAIT_POLICY is not set, so PyTorch's OpenMP threads "
                    + "spin while they wait; export OMP_WAIT_POLICY=PASSIVE before starting the JVM to give the CPU back "
                    + "(same results, much faster when other work shares the cores; see docs/troubleshooting.md)");
        }
    }

    private DjlRuntime() {}

    /**
     * Returns DJL's PyTorch engine, starting it on first use.
     * @return The engine.
     */
    public static Engine engine() {
        return Engine.getEngine(ENGINE_NAME);
    }

    /**
     * Creates a new root manager for native memory on the CPU.
     * @return A new manager; the caller closes it.
     */
    public static NDManager newManager() {
        return engine().newBaseManager(Device.cpu());
    }

    /**
     * The DJL version on the class path.
     * @return The DJL version.
     */
    public static String djlVersion() {
        engine();
        return Engine.getDjlVersion();
    }

    /**
     * The version of the PyTorch natives.
     * @return The PyTorch version.
     */
    public static String pytorchVersion() {
        return engine().getVersion();
    }

    /**
     * The number of intra-op threads PyTorch uses.
     * @return The thread count.
     */
    public static int intraOpThreads() {
        engine();
        return JniUtils.getNumThreads();
    }

    /**
     * Seeds PyTorch's global random generator (used by dropout).
     * @param seed The seed.
     */
    public static void seedNativeRandom(long seed) {
        engine().setRandomSeed((int) (seed ^ (seed >>> 32)));
    }
}
