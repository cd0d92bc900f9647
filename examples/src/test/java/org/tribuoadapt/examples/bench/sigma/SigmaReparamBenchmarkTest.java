package org.tribuoadapt.examples.bench.sigma;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench sigma-reparam} end to end on the first images of the embedded sample: a plain and a σReparam line per
 * seed, with the accuracy and the attention entropy of each epoch.
 */
public class SigmaReparamBenchmarkTest {

    @Test
    public void printsAPlainAndASigmaReparamLinePerSeed() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new SigmaReparamBenchmark().run(List.of("--examples", "256", "--epochs", "2", "--seeds", "1", "--batch", "64"),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String[] lines = bytes.toString(StandardCharsets.UTF_8).trim().split("\n");
        assertEquals(2, lines.length);
        ObjectMapper mapper = new ObjectMapper();
        JsonNode plain = mapper.readTree(lines[0]);
        JsonNode sigma = mapper.readTree(lines[1]);
        assertFalse(plain.get("spectral_reparam").asBoolean());
        assertTrue(sigma.get("spectral_reparam").asBoolean());
        for (JsonNode run : List.of(plain, sigma)) {
            assertEquals(2, run.get("min_head_entropy_per_epoch").size());
            for (JsonNode entropy : run.get("mean_head_entropy_per_epoch")) {
                // 16 tokens: between collapse (0) and uniform attention (ln 16)
                assertTrue(entropy.asDouble() >= 0 && entropy.asDouble() <= Math.log(16) + 1e-6, run.toString());
            }
            double accuracy = run.get("accuracy").asDouble();
            assertTrue(accuracy >= 0 && accuracy <= 1, run.toString());
        }
    }
}
