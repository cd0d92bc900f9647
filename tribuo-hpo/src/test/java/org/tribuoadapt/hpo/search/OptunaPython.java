package org.tribuoadapt.hpo.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs Optuna 3.1 scripts in {@code /usr/bin/python3} for the interoperability tests, which are skipped when Python
 * or its {@code optuna} module is missing.
 */
public final class OptunaPython {

    /** The interpreter (Debian's, with {@code python3-optuna}). */
    public static final Path PYTHON = Path.of("/usr/bin/python3");

    private OptunaPython() {}

    /**
     * Skips the calling test unless {@code /usr/bin/python3} imports {@code optuna}.
     * @throws IOException If Python cannot start.
     * @throws InterruptedException If interrupted.
     */
    public static void assumeAvailable() throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(PYTHON), "no " + PYTHON);
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import optuna").redirectErrorStream(true).start();
        assumeTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "no optuna module for " + PYTHON);
    }

    /**
     * Runs a script that prints one JSON document, failing the test with Python's errors if it fails.
     * @param script The Python source.
     * @param args Its arguments ({@code sys.argv[1:]}).
     * @return The printed JSON.
     * @throws IOException If Python cannot start or prints no JSON.
     * @throws InterruptedException If interrupted.
     */
    public static JsonNode run(String script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), "-c", script));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        byte[] err = p.getErrorStream().readAllBytes();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "optuna did not finish");
        assertEquals(0, p.exitValue(), () -> "optuna failed: " + new String(err, StandardCharsets.UTF_8));
        return new ObjectMapper().readTree(out);
    }
}
