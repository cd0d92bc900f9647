package org.tribuoadapt.examples.bench.peft;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures the peak resident memory of this process (Java heap, native tensors, libraries) over a stretch of work.
 * <p>
 * On Linux the kernel tracks the peak resident set size ({@code VmHWM} in {@code /proc/self/status}); writing
 * {@code 5} to {@code /proc/self/clear_refs} resets it to the current size, so the value read at the end is the exact
 * peak of the measured stretch. Where the reset is not allowed, a daemon thread samples {@code VmRSS} every
 * millisecond and the largest sample is reported instead. Elsewhere the peak is unknown (-1).
 */
public final class PeakMemory implements AutoCloseable {

    private static final Path STATUS = Paths.get("/proc/self/status");
    private static final Path CLEAR_REFS = Paths.get("/proc/self/clear_refs");

    /** How the peak is measured. */
    public enum Method {
        /** The kernel's high-water mark, reset at the start. */
        KERNEL_HIGH_WATER_MARK,
        /** The largest of samples of the resident size taken every millisecond. */
        SAMPLED_RESIDENT_SIZE,
        /** Not measurable on this system. */
        UNAVAILABLE
    }

    private final Method method;
    private final AtomicLong sampledPeak = new AtomicLong();
    private final Thread sampler;
    private volatile boolean running = true;

    private PeakMemory(Method method) {
        this.method = method;
        if (method == Method.SAMPLED_RESIDENT_SIZE) {
            sampledPeak.set(read("VmRSS:"));
            sampler = new Thread(this::sample, "peak-memory-sampler");
            sampler.setDaemon(true);
            sampler.start();
        } else {
            sampler = null;
        }
    }

    /**
     * Starts measuring.
     * @return The measurement; close it when the work is done.
     */
    public static PeakMemory start() {
        if (!Files.isReadable(STATUS)) {
            return new PeakMemory(Method.UNAVAILABLE);
        }
        try {
            Files.write(CLEAR_REFS, "5".getBytes(StandardCharsets.US_ASCII));
            return new PeakMemory(Method.KERNEL_HIGH_WATER_MARK);
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return new PeakMemory(Method.SAMPLED_RESIDENT_SIZE);
        }
    }

    private void sample() {
        while (running) {
            sampledPeak.accumulateAndGet(read("VmRSS:"), Math::max);
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * The peak resident memory since {@link #start()}.
     * @return Bytes, or -1 when unavailable.
     */
    public long peakBytes() {
        switch (method) {
            case KERNEL_HIGH_WATER_MARK:
                return read("VmHWM:");
            case SAMPLED_RESIDENT_SIZE:
                return sampledPeak.accumulateAndGet(read("VmRSS:"), Math::max);
            default:
                return -1;
        }
    }

    /** @return How the peak is measured. */
    public Method method() {
        return method;
    }

    /** Reads a {@code kB} field of {@code /proc/self/status} in bytes, or -1. */
    private static long read(String field) {
        try {
            for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
                if (line.startsWith(field)) {
                    String[] parts = line.substring(field.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    @Override
    public void close() {
        running = false;
        if (sampler != null) {
            sampler.interrupt();
        }
    }
}
