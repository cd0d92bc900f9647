package org.tribuoadapt.tta.evaluation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the process's resident memory, which counts the native tensors of PyTorch as well as the Java heap: the
 * {@code VmRSS} line of {@code /proc/self/status} on Linux, or the Java heap in use elsewhere.
 */
final class MemoryProbe {

    private static final Path STATUS = Path.of("/proc/self/status");

    private MemoryProbe() {}

    /**
     * The current resident memory.
     * @return Bytes.
     */
    static long residentBytes() {
        if (Files.isReadable(STATUS)) {
            try {
                for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
                    if (line.startsWith("VmRSS:")) {
                        String[] parts = line.substring(6).trim().split("\\s+");
                        return Long.parseLong(parts[0]) * 1024;
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // fall through to the heap
            }
        }
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    /**
     * Whether {@link #residentBytes} measures the whole process (Linux) rather than the Java heap.
     * @return True on Linux.
     */
    static boolean measuresProcess() {
        return Files.isReadable(STATUS);
    }
}
